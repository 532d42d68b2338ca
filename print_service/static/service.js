// Small helpers of the print service; every page works without them (the forms submit as usual).
"use strict";
(function () {
  const csrf = document.body.dataset.csrf;

  async function postJSON(url, data) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(data),
    });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  // Case page: the template list shows only the chosen appeal type's templates.
  const type = document.getElementById("type");
  const template = document.getElementById("template");
  function filterTemplates() {
    if (!type || !template) return;
    let firstVisible = null;
    for (const group of template.querySelectorAll("optgroup")) {
      const show = group.dataset.type === type.value;
      group.hidden = !show;
      group.disabled = !show;
      if (show && !firstVisible) firstVisible = group.querySelector("option");
    }
    const current = template.selectedOptions[0];
    if ((!current || current.parentElement.hidden) && firstVisible) firstVisible.selected = true;
  }
  if (type) { type.addEventListener("change", filterTemplates); filterTemplates(); }

  // Fill-in values are checked as they are typed.
  const fill = document.getElementById("fill");
  if (fill) {
    let timer = null;
    const check = async () => {
      const values = {};
      for (const input of fill.querySelectorAll("[name^='fill.']")) values[input.name.slice(5)] = input.value;
      try {
        const answer = await postJSON(fill.dataset.check, {template: fill.dataset.template, fill: values});
        for (const span of fill.querySelectorAll(".problem")) {
          const message = answer.problems[span.dataset.for] || "";
          span.textContent = message;
          const input = fill.querySelector(`[name='fill.${span.dataset.for}']`);
          if (input) input.setAttribute("aria-invalid", message ? "true" : "false");
        }
      } catch (error) { /* the server checks again on submit */ }
    };
    fill.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 250); });
  }

  // Letter page: print.
  const print = document.getElementById("print");
  if (print) print.addEventListener("click", () => window.print());

  // Reply page: copy as rich text for Omnidesk's reply box.
  const copy = document.getElementById("copy");
  if (copy) copy.addEventListener("click", async () => {
    const node = document.getElementById(copy.dataset.target);
    const status = document.getElementById("copied");
    try {
      await navigator.clipboard.write([new ClipboardItem({
        "text/html": new Blob([node.innerHTML], {type: "text/html"}),
        "text/plain": new Blob([node.innerText], {type: "text/plain"}),
      })]);
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      document.execCommand("copy");
      selection.removeAllRanges();
    }
    status.textContent = "Скопировано — вставьте в ответ (Ctrl+V)";
  });

  // New appeal: fill the subscriber from the billing directory by account number.
  const lookup = document.getElementById("lookup");
  if (lookup) {
    const form = document.getElementById("intake");
    const run = async () => {
      const result = document.getElementById("lookup-result");
      const account = form.elements["account"].value.trim();
      if (!account) return;
      try {
        const answer = await postJSON(lookup.dataset.url, {account});
        if (!answer.found) { result.textContent = "Лицевого счета нет ни в справочнике биллинга, ни в Omnidesk"; return; }
        for (const [name, value] of Object.entries(answer.subscriber)) {
          if (form.elements[name] && value) form.elements[name].value = value;
        }
        result.textContent = answer.source === "omnidesk" ? "Данные подставлены из профиля абонента в Omnidesk — проверьте"
                                                          : "Данные подставлены из биллинга — проверьте";
      } catch (error) { result.textContent = "Справочник недоступен"; }
    };
    lookup.addEventListener("click", run);
    form.elements["account"].addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); run(); }
    });
  }
})();
