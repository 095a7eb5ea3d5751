//! Long work as tasks: each runs on its own tokio task, reports its step and progress
//! (pushed as `HostEvent::Task`, at most every `EMIT_EVERY`), can be cancelled where the
//! work allows it, and ends in exactly one history entry.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch};
use vireo_core::{Error, HostEvent, ProgressUnit, Result, TaskKind, TaskState, TaskStep, TaskSummary};
use vireo_store::Store;

use crate::history;

const EMIT_EVERY: Duration = Duration::from_millis(200);
/// The speed is measured over this last stretch.
const SPEED_WINDOW: Duration = Duration::from_secs(3);
/// Ended tasks kept in the list (for the task panel), newest first.
const KEEP_ENDED: usize = 50;

pub(crate) struct Tasks {
    cells: Mutex<BTreeMap<String, Arc<Cell>>>,
    next: AtomicU64,
    events: broadcast::Sender<HostEvent>,
    store: Arc<Store>,
    actor: &'static str,
}

struct Cell {
    state: watch::Sender<TaskSummary>,
    cancel: Arc<AtomicBool>,
    /// The failure itself (the summary holds what the UI shows of it).
    error: Mutex<Option<Error>>,
}

/// What the work sees of its task.
#[derive(Clone)]
pub(crate) struct TaskCtx {
    cell: Arc<Cell>,
    events: broadcast::Sender<HostEvent>,
    meter: Arc<Mutex<Meter>>,
}

#[derive(Default)]
struct Meter {
    last_emit: Option<Instant>,
    samples: VecDeque<(Instant, u64)>,
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis() as i64
}

impl Tasks {
    pub(crate) fn new(events: broadcast::Sender<HostEvent>, store: Arc<Store>, actor: &'static str) -> Tasks {
        Tasks { cells: Mutex::default(), next: AtomicU64::new(1), events, store, actor }
    }

    /// Starts `work` as a task and returns its first summary at once. `host_label` is
    /// the host's name for history. The work's `Ok` value is the task's `result`.
    pub(crate) fn spawn<F, Fut>(&self, host_id: &str, host_label: String, kind: TaskKind, target: String, work: F) -> TaskSummary
    where
        F: FnOnce(TaskCtx) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<String>>> + Send + 'static,
    {
        let id = format!("t{}-{}", std::process::id(), self.next.fetch_add(1, Ordering::Relaxed));
        let summary = TaskSummary {
            id: id.clone(),
            host_id: host_id.to_owned(),
            kind,
            target: target.clone(),
            state: TaskState::Running,
            step: TaskStep::Checking,
            unit: ProgressUnit::Steps,
            done: 0,
            total: None,
            bytes_per_sec: None,
            cancellable: false,
            started_ms: now_ms(),
            ended_ms: None,
            result: None,
            error: None,
        };
        let (tx, _) = watch::channel(summary.clone());
        let cell = Arc::new(Cell { state: tx, cancel: Arc::default(), error: Mutex::default() });
        self.insert(id, cell.clone());
        let ctx = TaskCtx { cell: cell.clone(), events: self.events.clone(), meter: Arc::default() };
        ctx.emit();
        let (store, actor) = (self.store.clone(), self.actor);
        tokio::spawn(async move {
            let outcome = work(ctx.clone()).await;
            let cancelled = matches!(outcome, Err(Error::Cancelled { .. }));
            // The history entry and the error before the end state, so whoever sees the task
            // end finds both (`wait`; a CLI that exits once its task ended).
            history::record(store, actor, host_label, kind.as_str(), target, &outcome).await;
            *ctx.cell.error.lock().unwrap() = outcome.as_ref().err().cloned();
            ctx.cell.state.send_modify(|s| {
                s.state = match &outcome {
                    Ok(_) => TaskState::Succeeded,
                    Err(_) if cancelled => TaskState::Cancelled,
                    Err(_) => TaskState::Failed,
                };
                s.ended_ms = Some(now_ms());
                s.cancellable = false;
                s.bytes_per_sec = None;
                match &outcome {
                    Ok(result) => s.result = result.clone(),
                    Err(e) => s.error = Some(e.payload()),
                }
            });
            ctx.emit();
        });
        summary
    }

    fn insert(&self, id: String, cell: Arc<Cell>) {
        let mut cells = self.cells.lock().unwrap();
        cells.insert(id, cell);
        let ended: Vec<(i64, String)> = cells
            .iter()
            .filter_map(|(id, c)| c.state.borrow().ended_ms.map(|t| (t, id.clone())))
            .collect();
        if ended.len() > KEEP_ENDED {
            let mut ended = ended;
            ended.sort();
            for (_, id) in ended.iter().take(ended.len() - KEEP_ENDED) {
                cells.remove(id);
            }
        }
    }

    /// Running tasks and the most recent ended ones, newest first.
    pub(crate) fn list(&self) -> Vec<TaskSummary> {
        let mut all: Vec<TaskSummary> = self.cells.lock().unwrap().values().map(|c| c.state.borrow().clone()).collect();
        all.sort_by(|a, b| b.started_ms.cmp(&a.started_ms).then(b.id.cmp(&a.id)));
        all
    }

    pub(crate) fn cancel(&self, id: &str) -> Result<()> {
        let cell = self.cell(id)?;
        let s = cell.state.borrow().clone();
        if s.state.is_done() {
            return Ok(());
        }
        if !s.cancellable {
            return Err(Error::InvalidState { action: "cancel".into(), name: s.target, state: "past the point where it can stop".into() });
        }
        cell.cancel.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Follows a task: its summary now and each change after.
    pub(crate) fn watch(&self, id: &str) -> Result<watch::Receiver<TaskSummary>> {
        Ok(self.cell(id)?.state.subscribe())
    }

    /// Waits for the task to end: its summary, or the error it failed with.
    pub(crate) async fn wait(&self, id: &str) -> Result<TaskSummary> {
        let cell = self.cell(id)?;
        let mut rx = cell.state.subscribe();
        let ended = rx.wait_for(|s| s.state.is_done()).await.map_err(|e| Error::Internal(e.to_string()))?.clone();
        if ended.state == TaskState::Succeeded {
            return Ok(ended);
        }
        // Stored before the end state was sent.
        let error = cell.error.lock().unwrap().clone();
        Err(error.unwrap_or_else(|| Error::Internal(format!("task {id} ended without its error"))))
    }

    fn cell(&self, id: &str) -> Result<Arc<Cell>> {
        self.cells.lock().unwrap().get(id).cloned().ok_or_else(|| Error::NotFound { kind: "task", name: id.to_owned(), host: "this app".into() })
    }
}

impl TaskCtx {
    pub(crate) fn id(&self) -> String {
        self.cell.state.borrow().id.clone()
    }

    /// A new step; counted progress starts again.
    pub(crate) fn step(&self, step: TaskStep) {
        self.cell.state.send_modify(|s| s.step = step);
        self.emit();
    }

    /// What the progress counts and up to what.
    pub(crate) fn measure(&self, unit: ProgressUnit, total: Option<u64>) {
        self.meter.lock().unwrap().samples.clear();
        self.cell.state.send_modify(|s| {
            s.unit = unit;
            s.total = total;
            s.done = 0;
            s.bytes_per_sec = None;
        });
        self.emit();
    }

    /// Progress so far; pushed to listeners at most every `EMIT_EVERY` (and at the end).
    pub(crate) fn progress(&self, done: u64) {
        let now = Instant::now();
        let (emit, speed) = {
            let mut m = self.meter.lock().unwrap();
            m.samples.push_back((now, done));
            while m.samples.len() > 2 && now.duration_since(m.samples[0].0) > SPEED_WINDOW {
                m.samples.pop_front();
            }
            let speed = m.samples.front().and_then(|&(t0, d0)| {
                let secs = now.duration_since(t0).as_secs_f64();
                (secs > 0.2).then(|| done.saturating_sub(d0) as f64 / secs)
            });
            let due = m.last_emit.is_none_or(|t| now.duration_since(t) >= EMIT_EVERY);
            if due {
                m.last_emit = Some(now);
            }
            (due, speed)
        };
        self.cell.state.send_modify(|s| {
            s.done = done;
            if s.unit == ProgressUnit::Bytes {
                s.bytes_per_sec = speed.or(s.bytes_per_sec);
            }
        });
        if emit || self.cell.state.borrow().total == Some(done) {
            self.emit();
        }
    }

    pub(crate) fn set_cancellable(&self, on: bool) {
        self.cell.state.send_modify(|s| s.cancellable = on);
        self.emit();
    }

    pub(crate) fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cell.cancel.clone()
    }

    /// Whether the user asked it to stop (checked between steps).
    pub(crate) fn check_cancel(&self, what: &str) -> Result<()> {
        if self.cell.cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled { what: what.to_owned() });
        }
        Ok(())
    }

    fn emit(&self) {
        let task = self.cell.state.borrow().clone();
        let _ = self.events.send(HostEvent::Task { task });
    }
}
