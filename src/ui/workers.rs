//! The page's pool of Web Workers: spawns them, waits until each is ready,
//! sends one request at a time per worker and resolves its answer; progress
//! messages go to a callback. Cancelling terminates every worker at once
//! (instant, whatever it was doing) and fresh ones start on the next call.

use crate::envelope::Envelope;
use crate::protocol::{Request, Response};
use futures::channel::oneshot;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// The worker script (a classic worker that loads the wasm worker binary).
pub const WORKER_URL: &str = "./worker.js";

/// Why a call did not return an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The pool was cancelled while the call ran.
    Cancelled,
    /// The worker could not start or crashed.
    Broken(String),
}

type Reply = Result<Envelope<Response>, CallError>;
type Progress = Rc<dyn Fn(u64)>;
/// The call a worker is answering: where the answer goes, and its progress callback.
type Pending = Rc<RefCell<Option<(oneshot::Sender<Reply>, Option<Progress>)>>>;

/// One request at a time per worker: later callers wait their turn.
#[derive(Default)]
struct Gate {
    busy: std::cell::Cell<bool>,
    waiters: RefCell<std::collections::VecDeque<oneshot::Sender<()>>>,
}

struct GateGuard(Rc<Gate>);

impl Gate {
    async fn enter(self: &Rc<Gate>) -> Result<GateGuard, CallError> {
        if self.busy.replace(true) {
            let (tx, rx) = oneshot::channel();
            self.waiters.borrow_mut().push_back(tx);
            // The previous holder hands the gate over (busy stays true).
            rx.await.map_err(|_| CallError::Cancelled)?;
        }
        Ok(GateGuard(self.clone()))
    }
}

impl Drop for GateGuard {
    fn drop(&mut self) {
        loop {
            let next = self.0.waiters.borrow_mut().pop_front();
            match next {
                Some(tx) => {
                    if tx.send(()).is_ok() {
                        return;
                    }
                }
                None => {
                    self.0.busy.set(false);
                    return;
                }
            }
        }
    }
}

struct Slot {
    gate: Rc<Gate>,
    worker: Worker,
    ready: Rc<RefCell<ReadyState>>,
    pending: Pending,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

enum ReadyState {
    Waiting(Vec<oneshot::Sender<()>>),
    Ready,
    Failed(String),
}

/// A fixed number of workers.
pub struct Pool {
    size: usize,
    slots: RefCell<Vec<Option<Slot>>>,
    started: Started,
}

/// Counts the workers that have said they are ready; once all of them have,
/// the page is marked `<html data-engine="ready">` (what the benchmark waits
/// for before it picks a file: engine start-up is not part of a run).
#[derive(Clone, Default)]
struct Started {
    ready: Rc<std::cell::Cell<usize>>,
    of: usize,
}

impl Started {
    fn mark(&self, ready: bool) {
        let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
        if let Some(root) = root {
            let _ =
                if ready { root.set_attribute("data-engine", "ready") } else { root.remove_attribute("data-engine") };
        }
    }

    fn one_more(&self) {
        self.ready.set(self.ready.get() + 1);
        if self.ready.get() == self.of {
            self.mark(true);
        }
    }

    fn restart(&self) {
        self.ready.set(0);
        self.mark(false);
    }
}

impl Pool {
    /// A pool of `size` workers, started now so they are warm when needed.
    pub fn new(size: usize) -> Rc<Pool> {
        let size = size.max(1);
        let started = Started { ready: Rc::default(), of: size };
        let pool = Rc::new(Pool { size, slots: RefCell::new(Vec::new()), started });
        pool.slots.borrow_mut().resize_with(pool.size, || None);
        for i in 0..pool.size {
            pool.ensure(i);
        }
        pool
    }

    /// How many workers run in parallel.
    pub fn size(&self) -> usize {
        self.size
    }

    fn ensure(&self, i: usize) {
        let mut slots = self.slots.borrow_mut();
        if slots[i].is_none() {
            slots[i] = Some(spawn(self.started.clone()));
        }
    }

    /// Stops every worker now; calls in flight fail with [`CallError::Cancelled`].
    pub fn cancel(&self) {
        let old: Vec<Option<Slot>> = self.slots.borrow_mut().iter_mut().map(Option::take).collect();
        for slot in old.into_iter().flatten() {
            slot.worker.terminate();
            if let Some((tx, _)) = slot.pending.borrow_mut().take() {
                let _ = tx.send(Err(CallError::Cancelled));
            }
        }
        self.started.restart();
        for i in 0..self.size {
            self.ensure(i);
        }
    }

    /// Sends `env` to worker `i` and waits for its answer. Progress messages
    /// in between go to `progress`.
    pub async fn call(&self, i: usize, env: Envelope<Request>, progress: Option<Progress>) -> Reply {
        self.ensure(i);
        let (gate, ready, pending, worker) = {
            let slots = self.slots.borrow();
            let s = slots[i].as_ref().ok_or(CallError::Cancelled)?;
            (s.gate.clone(), s.ready.clone(), s.pending.clone(), s.worker.clone())
        };
        let _turn = gate.enter().await?;
        let wait = match &mut *ready.borrow_mut() {
            ReadyState::Ready => None,
            ReadyState::Failed(m) => return Err(CallError::Broken(m.clone())),
            ReadyState::Waiting(list) => {
                let (tx, rx) = oneshot::channel();
                list.push(tx);
                Some(rx)
            }
        };
        if let Some(rx) = wait {
            rx.await.map_err(|_| CallError::Cancelled)?;
            if let ReadyState::Failed(m) = &*ready.borrow() {
                return Err(CallError::Broken(m.clone()));
            }
        }
        let (tx, rx) = oneshot::channel();
        *pending.borrow_mut() = Some((tx, progress));
        let (msg, transfer) = env.to_js();
        worker.post_message_with_transfer(&msg, &transfer).map_err(|e| CallError::Broken(format!("{e:?}")))?;
        rx.await.map_err(|_| CallError::Cancelled)?
    }
}

fn spawn(started: Started) -> Slot {
    let ready = Rc::new(RefCell::new(ReadyState::Waiting(Vec::new())));
    let pending: Pending = Rc::new(RefCell::new(None));
    let worker = match Worker::new(WORKER_URL) {
        Ok(w) => w,
        Err(e) => {
            *ready.borrow_mut() = ReadyState::Failed(format!("{e:?}"));
            // A placeholder that is never used: calls see the failure first.
            return Slot {
                gate: Rc::default(),
                worker: Worker::from(JsValue::UNDEFINED),
                ready,
                pending,
                _onmessage: Closure::new(|_| {}),
                _onerror: Closure::new(|_| {}),
            };
        }
    };
    let onmessage = {
        let (ready, pending) = (ready.clone(), pending.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let env = match Envelope::<Response>::from_js(&e.data()) {
                Ok(env) => env,
                Err(m) => {
                    if let Some((tx, _)) = pending.borrow_mut().take() {
                        let _ = tx.send(Err(CallError::Broken(m)));
                    }
                    return;
                }
            };
            match env.body {
                Response::Ready => {
                    started.one_more();
                    let old = std::mem::replace(&mut *ready.borrow_mut(), ReadyState::Ready);
                    if let ReadyState::Waiting(list) = old {
                        list.into_iter().for_each(|tx| {
                            let _ = tx.send(());
                        });
                    }
                }
                Response::Progress { done } => {
                    let cb = pending.borrow().as_ref().and_then(|(_, p)| p.clone());
                    if let Some(cb) = cb {
                        cb(done);
                    }
                }
                _ => {
                    if let Some((tx, _)) = pending.borrow_mut().take() {
                        let _ = tx.send(Ok(env));
                    }
                }
            }
        })
    };
    let onerror = {
        let (ready, pending) = (ready.clone(), pending.clone());
        Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            let msg = format!("worker error: {}", e.message());
            let old = std::mem::replace(&mut *ready.borrow_mut(), ReadyState::Failed(msg.clone()));
            if let ReadyState::Waiting(list) = old {
                list.into_iter().for_each(|tx| {
                    let _ = tx.send(());
                });
            }
            if let Some((tx, _)) = pending.borrow_mut().take() {
                let _ = tx.send(Err(CallError::Broken(msg)));
            }
        })
    };
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    Slot { gate: Rc::default(), worker, ready, pending, _onmessage: onmessage, _onerror: onerror }
}
