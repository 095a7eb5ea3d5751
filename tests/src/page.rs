//! What end-to-end tests do in the real window, as a person would: click what is shown and
//! still, type into a field, pick an option, read a text, follow a task in the task list,
//! and save a screenshot of the step.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::webdriver::Session;
use crate::window::{shots_dir, wait_until};

/// Saves the window as `target/e2e/<prefix>-<name>.png` (a failed screenshot is said, not fatal:
/// WebKitWebDriver's can time out while a dialog is open).
pub fn shot(s: &Session, prefix: &str, name: &str) {
    std::thread::sleep(Duration::from_millis(200));
    match s.screenshot() {
        Ok(png) => std::fs::write(shots_dir().join(format!("{prefix}-{name}.png")), png).unwrap(),
        Err(e) => println!("screenshot {prefix}-{name}: {e}"),
    }
}

/// Clicks the element matching `css` once it is displayed and still, scrolled into view
/// (WebKitWebDriver refuses a click on an element that moves or is out of view).
pub fn click(s: &Session, css: &str) {
    wait_until(&format!("'{css}' clickable"), 15, || {
        let ready = s.execute(
            "const el = document.querySelector(arguments[0]);
             if (!el || el.disabled) return false;
             el.scrollIntoView({block: 'center'});
             const r = el.getBoundingClientRect();
             return r.width > 0 && r.height > 0;",
            json!([css]),
        );
        if ready.ok() != Some(Value::Bool(true)) {
            return false;
        }
        let Ok(el) = s.wait_for(css, 1) else { return false };
        // "Not interactable" while it still moves: tried again after a moment.
        let clicked = s.click(&el).is_ok();
        if !clicked {
            std::thread::sleep(Duration::from_millis(200));
        }
        clicked
    });
}

/// Types into the input matching `css` (emptied first).
pub fn fill(s: &Session, css: &str, text: &str) {
    let el = s.wait_for(css, 10).unwrap();
    s.clear(&el).unwrap();
    s.type_text(&el, text).unwrap();
}

/// Picks the option of `value` in the select matching `css`, as a person does: opens the
/// select and clicks the option.
pub fn choose(s: &Session, css: &str, value: &str) {
    click(s, css);
    let option = s.wait_for(&format!("{css} option[value=\"{value}\"]"), 10).unwrap();
    s.click(&option).unwrap();
    wait_until(&format!("{css} = {value}"), 5, || {
        s.execute("return document.querySelector(arguments[0]).value", json!([css])).ok() == Some(json!(value))
    });
}

/// Records every state of every task progress bar the page shows from now on (an upload
/// of 19 MB can come and go between two polls): `[task id, state, done, total]`.
pub fn watch_progress(s: &Session) {
    s.execute(
        "window.vireoSeen = [];
         const note = () => document.querySelectorAll('[data-testid=task-progress]').forEach(e =>
           window.vireoSeen.push([e.dataset.taskId, e.dataset.state, e.dataset.done, e.dataset.total]));
         window.vireoObserver?.disconnect();
         window.vireoObserver = new MutationObserver(note);
         window.vireoObserver.observe(document.body, {subtree: true, childList: true, attributes: true});
         note();",
        json!([]),
    )
    .unwrap();
}

pub fn seen_progress(s: &Session) -> Vec<Vec<String>> {
    let v = s.execute("return window.vireoSeen", json!([])).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().iter().map(|c| c.as_str().unwrap_or_default().to_owned()).collect())
        .collect()
}

pub fn text_of(s: &Session, css: &str) -> String {
    s.wait_for(css, 10).and_then(|el| s.property(&el, "textContent")).unwrap().unwrap_or_default()
}

/// The state of the newest task of `kind` on `target` in the task list, once it is listed.
pub fn task_state(s: &Session, kind: &str, target: &str) -> Option<String> {
    let v = s
        .execute(
            "const t = document.querySelector(`li[data-testid=task][data-kind='${arguments[0]}'][data-target='${arguments[1]}']`);
             return t ? t.dataset.state : null;",
            json!([kind, target]),
        )
        .ok()?;
    v.as_str().map(str::to_owned)
}

pub fn wait_task(s: &Session, kind: &str, target: &str, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let state = loop {
        let state = task_state(s, kind, target);
        if state.as_deref().is_some_and(|st| st != "running") || Instant::now() > deadline {
            break state;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    if state.as_deref() != Some("succeeded") {
        // What the window says instead: the task's error, or a refusal in the banners.
        let why = s
            .execute(
                "return [...document.querySelectorAll('[data-testid=task-error], [data-testid=error-banner], [role=alertdialog]')].map(e => e.textContent).join(' | ')",
                json!([]),
            )
            .unwrap();
        // And what the core itself lists.
        let _ = s.execute(
            "window.__TAURI_INTERNALS__.invoke('list_tasks').then(t => window.vireoCoreTasks = JSON.stringify(t), e => window.vireoCoreTasks = 'error ' + JSON.stringify(e))",
            json!([]),
        );
        std::thread::sleep(Duration::from_secs(1));
        let core = s.execute("return window.vireoCoreTasks ?? null", json!([])).unwrap();
        let list = s.execute("return document.querySelector('[data-testid=task-list]')?.textContent ?? null", json!([])).unwrap();
        panic!("{kind} {target} ended {state:?} within {secs} s: {why}\nthe window's task list: {list}\nthe core's tasks: {core}");
    }
}

/// True once no element matches `css`.
pub fn gone(s: &Session, css: &str) -> bool {
    s.execute("return !document.querySelector(arguments[0])", json!([css])).ok() == Some(json!(true))
}
