//! The node's own executor: a task queue polled to quiescence on each step of the node,
//! timers on simulated time, and the node's random stream. One per node incarnation; a
//! crash drops it, and with it every task openraft spawned.
//!
//! It is not a general runtime: no threads, no wall clock, no I/O reactor. Time moves only
//! when the world says so ([`Executor::set_now`]); a task woken by a timer runs on the
//! node's next step at or after the timer's deadline. Tasks run in the order they were
//! woken (FIFO, ties by task number), so a run replays exactly.
//!
//! openraft's `AsyncRuntime` functions are free functions (`spawn`, `sleep`,
//! `Instant::now`, `thread_rng`): they reach the executor of the node being stepped
//! through a thread-local that [`Executor::enter`] sets for the duration of the step.

use sim_core::SimRng;
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// Polls in one step before the executor calls it a livelock (a bug, not user input).
pub const POLLS_PER_STEP_MAX: u64 = 1 << 22;
/// Tasks alive at once in one node.
pub const TASKS_MAX: usize = 1 << 16;

/// The slot a sleeping future shares with the timer heap: the waker to call at the
/// deadline. The heap holds it weakly, so a dropped sleep cancels its timer.
pub(crate) type TimerSlot = RefCell<Option<Waker>>;

pub struct Executor {
    now_ns: Cell<u64>,
    tasks: RefCell<BTreeMap<u64, Task>>,
    wakers: RefCell<BTreeMap<u64, Arc<TaskWake>>>,
    next_task: Cell<u64>,
    ready: Arc<Mutex<VecDeque<u64>>>,
    timers: RefCell<BinaryHeap<Reverse<(u64, u64)>>>,
    slots: RefCell<BTreeMap<u64, Weak<TimerSlot>>>,
    next_timer: Cell<u64>,
    rng: RefCell<SimRng>,
}

struct TaskWake {
    id: u64,
    queued: AtomicBool,
    ready: Arc<Mutex<VecDeque<u64>>>,
}

impl Wake for TaskWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::Relaxed) {
            self.ready
                .lock()
                .expect("one thread uses the queue")
                .push_back(self.id);
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
}

impl Executor {
    pub fn new(now_ns: u64, rng: SimRng) -> Rc<Executor> {
        Rc::new(Executor {
            now_ns: Cell::new(now_ns),
            tasks: RefCell::new(BTreeMap::new()),
            wakers: RefCell::new(BTreeMap::new()),
            next_task: Cell::new(0),
            ready: Arc::new(Mutex::new(VecDeque::new())),
            timers: RefCell::new(BinaryHeap::new()),
            slots: RefCell::new(BTreeMap::new()),
            next_timer: Cell::new(0),
            rng: RefCell::new(rng),
        })
    }

    /// Runs `f` with this executor as the current one (restoring the previous one after).
    pub fn enter<R>(self: &Rc<Self>, f: impl FnOnce() -> R) -> R {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        struct Restore(Option<Rc<Executor>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = previous);
            }
        }
        let _restore = Restore(previous);
        f()
    }

    /// The executor of the node being stepped; panics outside a step (a bug).
    pub fn current() -> Rc<Executor> {
        CURRENT.with(|c| {
            c.borrow()
                .clone()
                .expect("openraft's runtime used outside a node's step")
        })
    }

    pub fn now_ns(&self) -> u64 {
        self.now_ns.get()
    }

    /// The world's clock moved to `now_ns` (it never goes back).
    pub fn set_now(&self, now_ns: u64) {
        assert!(now_ns >= self.now_ns.get(), "simulated time went back");
        self.now_ns.set(now_ns);
    }

    pub fn next_u64(&self) -> u64 {
        self.rng.borrow_mut().next_u64()
    }

    /// Adds a task; it runs in this step's [`Executor::run_until_idle`].
    pub fn spawn(&self, fut: impl Future<Output = ()> + 'static) {
        let id = self.next_task.get();
        self.next_task.set(id + 1);
        let mut tasks = self.tasks.borrow_mut();
        assert!(tasks.len() < TASKS_MAX, "{TASKS_MAX} openraft tasks alive");
        tasks.insert(id, Box::pin(fut));
        let wake = Arc::new(TaskWake {
            id,
            queued: AtomicBool::new(false),
            ready: self.ready.clone(),
        });
        wake.wake_by_ref();
        self.wakers.borrow_mut().insert(id, wake);
    }

    /// Registers a timer at `deadline_ns` for `slot`'s waker.
    pub(crate) fn add_timer(&self, deadline_ns: u64, slot: Weak<TimerSlot>) {
        let seq = self.next_timer.get();
        self.next_timer.set(seq + 1);
        self.timers.borrow_mut().push(Reverse((deadline_ns, seq)));
        self.slots.borrow_mut().insert(seq, slot);
    }

    /// The earliest deadline of a live timer, dropping cancelled ones on the way.
    pub fn next_deadline(&self) -> Option<u64> {
        let mut timers = self.timers.borrow_mut();
        let mut slots = self.slots.borrow_mut();
        while let Some(&Reverse((deadline, seq))) = timers.peek() {
            let live = slots.get(&seq).and_then(Weak::upgrade).is_some();
            if live {
                return Some(deadline);
            }
            timers.pop();
            slots.remove(&seq);
        }
        None
    }

    /// Wakes every timer due by now, in deadline order.
    fn fire_timers(&self) {
        let now = self.now_ns.get();
        loop {
            let due = {
                let mut timers = self.timers.borrow_mut();
                match timers.peek() {
                    Some(&Reverse((deadline, seq))) if deadline <= now => {
                        timers.pop();
                        Some(seq)
                    }
                    _ => None,
                }
            };
            let Some(seq) = due else {
                return;
            };
            let slot = self.slots.borrow_mut().remove(&seq);
            if let Some(slot) = slot.and_then(|s| s.upgrade()) {
                if let Some(w) = slot.borrow_mut().take() {
                    w.wake();
                }
            }
        }
    }

    /// Fires due timers and polls woken tasks until none is left to run.
    pub fn run_until_idle(self: &Rc<Self>) {
        self.enter(|| {
            self.fire_timers();
            let mut polls = 0u64;
            loop {
                let next = self
                    .ready
                    .lock()
                    .expect("one thread uses the queue")
                    .pop_front();
                let Some(id) = next else {
                    return;
                };
                polls += 1;
                assert!(
                    polls < POLLS_PER_STEP_MAX,
                    "openraft's tasks did not settle within {POLLS_PER_STEP_MAX} polls"
                );
                self.poll_task(id);
            }
        })
    }

    fn poll_task(&self, id: u64) {
        let Some(wake) = self.wakers.borrow().get(&id).cloned() else {
            return; // finished before this wake-up
        };
        wake.queued.store(false, Ordering::Relaxed);
        let Some(mut task) = self.tasks.borrow_mut().remove(&id) else {
            return;
        };
        let waker = Waker::from(wake);
        let mut cx = Context::from_waker(&waker);
        match task.as_mut().poll(&mut cx) {
            Poll::Ready(()) => {
                self.wakers.borrow_mut().remove(&id);
            }
            Poll::Pending => {
                self.tasks.borrow_mut().insert(id, task);
            }
        }
    }

    /// Drops every task (inside this executor, so their destructors find it).
    pub fn shut_down(self: &Rc<Self>) {
        self.enter(|| {
            // Destructors may spawn or wake; drop in rounds until nothing is left.
            for _ in 0..64 {
                let tasks = std::mem::take(&mut *self.tasks.borrow_mut());
                if tasks.is_empty() {
                    break;
                }
                drop(tasks);
            }
            self.wakers.borrow_mut().clear();
            self.slots.borrow_mut().clear();
            self.timers.borrow_mut().clear();
        })
    }
}
