// Progressive enhancement: checklist changes go through the JSON API without a page load.
// Without JavaScript every form still posts and the page reloads.
(function () {
  "use strict";

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showMessage(text, kind) {
    let list = document.querySelector("ul.messages");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messages";
      document.querySelector("main").prepend(list);
    }
    const item = document.createElement("li");
    item.className = "message " + kind;
    item.setAttribute("role", "status");
    item.textContent = text;
    list.appendChild(item);
  }

  function recount(sectionEl) {
    const items = sectionEl.querySelectorAll("li.item");
    let done = 0;
    items.forEach(function (li) {
      if (li.classList.contains("status-done") || li.classList.contains("status-skipped")) done++;
    });
    const progress = sectionEl.querySelector(".section-progress progress");
    progress.value = done;
    sectionEl.querySelector(".section-progress .count").textContent = done + "/" + items.length;
    const all = document.querySelectorAll("li.item");
    let allDone = 0;
    all.forEach(function (li) {
      if (li.classList.contains("status-done") || li.classList.contains("status-skipped")) allDone++;
    });
    const total = document.getElementById("release-progress");
    if (total) {
      total.value = allDone;
      document.getElementById("release-progress-text").textContent = allDone + "/" + all.length;
    }
  }

  async function saveStatus(form, status) {
    const li = form.closest("li.item");
    const response = await fetch("/api/v1/checklist-items/" + form.dataset.item, {
      method: "PATCH",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(form)},
      body: JSON.stringify({revision: Number(form.dataset.revision), status: status}),
    });
    const body = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      showMessage(body.detail || ("Could not save (" + response.status + ")."), "error");
      if (response.status === 409 && body.current) applyState(form, li, body.current);
      return;
    }
    applyState(form, li, body);
  }

  function applyState(form, li, state) {
    setRevision(li, state.revision);
    form.querySelector("select.item-status").value = state.status;
    form.querySelector("input.tick").checked = state.status === "done";
    li.className = li.className.replace(/status-\S+/, "status-" + state.status);
    if (state.status === "done" || state.status === "skipped") li.classList.remove("is-overdue");
    recount(li.closest(".section"));
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    const form = target.closest("form.item-form");
    if (form) {
      const status = target.classList.contains("tick")
        ? (target.checked ? "done" : "todo")
        : form.querySelector("select.item-status").value;
      saveStatus(form, status);
      return;
    }
    const auto = target.closest("form.autosubmit");
    if (auto) auto.submit();
  });

  // No inline handlers (the Content-Security-Policy forbids them): buttons and forms say what
  // they need with data attributes.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
    const toggle = event.target.closest(".nav-toggle");
    if (toggle) setNavOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
  });

  // On a narrow screen the navigation folds behind its Menu button.
  function setNavOpen(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.closest(".topbar").classList.toggle("nav-open", open);
  }

  // Escape closes whatever menu is open (the folded navigation, a drop-down menu) and gives
  // the focus back to the control that opened it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const toggle = document.querySelector(".nav-toggle[aria-expanded=true]");
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      if (menu.contains(document.activeElement)) menu.querySelector("summary").focus();
    });
    if (toggle) {
      setNavOpen(toggle, false);
      toggle.focus();
    }
  });

  // ---- The plan editor (htmx does the requests; this adds keys, dragging and counts) ----------
  // Each row of a plan carries the revision the page shows (data-revision): a move, a drop or a
  // bulk action sends it, and the server refuses it (409) once someone else changed the row.
  // A save made here moves it on, so that the person's own edits never look stale.
  function setRevision(row, revision) {
    row.dataset.revision = revision;
    const form = row.querySelector("form.item-form");
    if (form) {
      form.dataset.revision = revision;
      form.querySelector("input[name=revision]").value = revision;
    }
    const box = row.querySelector("input.select[form=bulk-form]");
    if (box) box.value = row.dataset.item + ":" + revision;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    const params = event.detail.parameters;
    if (!/\/move$/.test(event.detail.path) || params.revision !== undefined) return;
    const row = event.detail.elt.closest && event.detail.elt.closest("[data-revision]");
    if (row) params.revision = row.dataset.revision;
  });

  // An in-place editor answers a save with the row's new revision as its ETag.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const tag = event.detail.xhr.getResponseHeader("ETag");
    const editor = event.detail.elt;
    if (!tag || event.detail.xhr.status !== 200 || !editor.matches(".inline-editor")) return;
    const row = editor.closest("[data-revision]");
    if (row) setRevision(row, tag.replace(/^W\//, "").replace(/"/g, ""));
  });

  // An edit button opens its field's editor; the field's id says which: f-KIND-PK-NAME.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button.edit-button");
    if (!button || !window.htmx) return;
    const field = button.closest(".inline-field");
    const parts = field.id.split("-");
    const url = "/inline/" + parts[1] + "/" + parts[2] + "/" + parts.slice(3).join("-");
    window.htmx.ajax("GET", url, {source: button, target: field, swap: "outerHTML"});
  });

  let focusAfterSwap = null;

  function moveItem(handle, values) {
    const li = handle.closest("li.item");
    const box = handle.closest(".checklists");
    if (!li || !box || !window.htmx) return;
    focusAfterSwap = li.id;
    // The item's id goes in place of the pattern's 0 (the last one: a release key may be "0").
    const url = box.dataset.moveUrl.replace(/\/0\/move$/, "/" + li.dataset.item + "/move");
    window.htmx.ajax("POST", url, {
      source: handle, target: "#plan-checklists", swap: "outerHTML", values: values,
    });
  }

  const ARROWS = {ArrowUp: "up", ArrowDown: "down", ArrowRight: "indent", ArrowLeft: "outdent"};

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      const editor = event.target.closest(".inline-editor");
      if (editor) {
        editor.querySelector(".inline-cancel").click();
        return;
      }
    }
    const handle = event.target.closest("button.handle");
    if (handle && event.altKey && ARROWS[event.key]) {
      event.preventDefault();
      moveItem(handle, {direction: ARROWS[event.key]});
    }
  });

  document.addEventListener("dragstart", function (event) {
    const handle = event.target.closest && event.target.closest("button.handle");
    if (!handle) return;
    event.dataTransfer.setData("text/plain", handle.closest("li.item").dataset.item);
    event.dataTransfer.effectAllowed = "move";
  });

  document.addEventListener("dragover", function (event) {
    if (event.target.closest && event.target.closest("ul.checklist")) event.preventDefault();
  });

  document.addEventListener("drop", function (event) {
    const list = event.target.closest && event.target.closest("ul.checklist");
    const dragged = document.getElementById("item-" + event.dataTransfer.getData("text/plain"));
    if (!list || !dragged) return;
    event.preventDefault();
    const before = event.target.closest("li.item");
    if (before === dragged) return;
    moveItem(dragged.querySelector("button.handle"), {
      section: list.dataset.section, before: before ? before.dataset.item : "",
    });
  });

  // Sections and phases: their grip (button.part-handle) is dragged onto another of its kind,
  // which it then comes before, or moved one place with Alt+Up/Down. The server answers with
  // the whole block, re-rendered in the new order.
  let focusPartAfterSwap = null;

  function movePart(handle, values) {
    const block = handle.closest(".plan-block");
    if (!block || !window.htmx) return;
    focusPartAfterSwap = handle.dataset.kind + "-" + handle.dataset.pk;
    window.htmx.ajax("POST", handle.dataset.move, {
      source: handle, target: block, swap: "outerHTML", values: values,
    });
  }

  document.addEventListener("keydown", function (event) {
    const handle = event.target.closest && event.target.closest("button.part-handle");
    const direction = {ArrowUp: "up", ArrowDown: "down"}[event.key];
    if (!handle || !event.altKey || !direction) return;
    event.preventDefault();
    movePart(handle, {direction: direction});
  });

  let draggedPart = null;

  document.addEventListener("dragstart", function (event) {
    const handle = event.target.closest && event.target.closest("button.part-handle");
    if (!handle) return;
    draggedPart = handle;
    event.dataTransfer.setData("text/plain", handle.dataset.kind + "-" + handle.dataset.pk);
    event.dataTransfer.effectAllowed = "move";
  });

  function dropTarget(event) {
    if (!draggedPart || !event.target.closest) return null;
    return event.target.closest('[data-drop="' + draggedPart.dataset.kind + '"]');
  }

  document.addEventListener("dragover", function (event) {
    if (dropTarget(event)) event.preventDefault();
  });

  document.addEventListener("drop", function (event) {
    const target = dropTarget(event);
    const handle = draggedPart;
    draggedPart = null;
    if (!target) return;
    event.preventDefault();
    if (target.dataset.pk !== handle.dataset.pk) movePart(handle, {before: target.dataset.pk});
  });

  document.addEventListener("dragend", function () { draggedPart = null; });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!focusPartAfterSwap || !event.target.closest(".plan-block")) return;
    const [kind, pk] = focusPartAfterSwap.split("-");
    focusPartAfterSwap = null;
    const handle = document.querySelector(
      'button.part-handle[data-kind="' + kind + '"][data-pk="' + pk + '"]');
    if (handle) handle.focus();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    // Only the checklists' own answer: the recent-changes box may refresh in between.
    if (!focusAfterSwap || !event.target.closest(".plan-block")) return;
    const li = document.getElementById(focusAfterSwap);
    focusAfterSwap = null;
    if (li) li.querySelector("button.handle").focus();
  });

  // A section's box, or "All items", ticks or clears every item box it covers at once.
  function itemBoxesOf(box) {
    if (box.matches("input.select-all")) {
      return document.querySelectorAll("input.select[form=bulk-form]");
    }
    return document.querySelectorAll(
      "#section-" + box.dataset.section + " input.select[form=bulk-form]");
  }

  document.addEventListener("change", function (event) {
    const box = event.target;
    if (box.matches("input.select-section, input.select-all")) {
      itemBoxesOf(box).forEach(function (item) { item.checked = box.checked; });
    } else if (!box.matches("input.select[form=bulk-form]")) {
      return;
    }
    const count = document.querySelectorAll("input.select[form=bulk-form]:checked").length;
    const label = document.querySelector("#bulk-form .bulk-count");
    if (label) label.textContent = count + " selected:";
  });

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // A form whose choices differ in weight (a status move back, closing a release) asks only
    // for the chosen option's own confirmation.
    const choosing = event.target.closest("form[data-confirm-choice]");
    if (!choosing) return;
    const chosen = choosing.querySelector("option:checked[data-confirm]");
    if (chosen && !window.confirm(chosen.dataset.confirm)) event.preventDefault();
  });
})();

