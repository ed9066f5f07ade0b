//! [`SimRuntime`]: openraft's `AsyncRuntime` on the simulator — the node's own executor
//! (`executor.rs`), simulated time (`time.rs`), the node's seeded random stream, and
//! channels and a mutex of our own (`oneshot.rs`, `mpsc.rs`, `watch.rs`, `mutex.rs`) whose
//! wake-up order is fixed. No thread, wall clock or OS randomness is reachable from here.

mod executor;
mod mpsc;
mod mutex;
mod oneshot;
mod time;
mod watch;

pub use executor::Executor;
pub use oneshot::{Sender as OneshotSender, channel as oneshot_channel};
pub use time::{Elapsed, SimInstant, Sleep, Timeout};

use std::cell::RefCell;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// The runtime type openraft is configured with (a marker; the state lives in the
/// executor of the node being stepped).
#[derive(Debug, Default)]
pub struct SimRuntime;

struct JoinState<T> {
    output: Option<T>,
    waker: Option<Waker>,
}

/// Completes with the task's output. Dropping it detaches the task.
pub struct JoinHandle<T>(Rc<RefCell<JoinState<T>>>);

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut st = self.0.borrow_mut();
        match st.output.take() {
            Some(v) => Poll::Ready(Ok(v)),
            None => {
                st.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T> Unpin for JoinHandle<T> {}

/// Never produced: a task that panics stops the simulation (a finding with its seed).
#[derive(Clone, Copy, Debug)]
pub struct JoinError;

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task failed")
    }
}

/// openraft's "thread RNG": draws from the random stream of the node being stepped.
pub struct NodeRng;

impl rand::TryRng for NodeRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(Executor::current().next_u64() as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(Executor::current().next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let exec = Executor::current();
        for chunk in dst.chunks_mut(8) {
            let bytes = exec.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

impl openraft::AsyncRuntime for SimRuntime {
    type JoinError = JoinError;
    type JoinHandle<T: 'static> = JoinHandle<T>;
    type Sleep = Sleep;
    type Instant = SimInstant;
    type TimeoutError = Elapsed;
    type Timeout<R, T: Future<Output = R>> = Timeout<R, T>;
    type ThreadLocalRng = NodeRng;

    fn spawn<T>(future: T) -> JoinHandle<T::Output>
    where
        T: Future + 'static,
        T::Output: 'static,
    {
        let state = Rc::new(RefCell::new(JoinState {
            output: None,
            waker: None,
        }));
        let done = state.clone();
        Executor::current().spawn(async move {
            let out = future.await;
            let waker = {
                let mut st = done.borrow_mut();
                st.output = Some(out);
                st.waker.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
        });
        JoinHandle(state)
    }

    fn sleep(duration: Duration) -> Sleep {
        let now = SimInstant(Executor::current().now_ns());
        Sleep::until(now + duration)
    }

    fn sleep_until(deadline: SimInstant) -> Sleep {
        Sleep::until(deadline)
    }

    fn timeout<R, F: Future<Output = R>>(duration: Duration, future: F) -> Timeout<R, F> {
        let now = SimInstant(Executor::current().now_ns());
        Timeout::new(now + duration, future)
    }

    fn timeout_at<R, F: Future<Output = R>>(deadline: SimInstant, future: F) -> Timeout<R, F> {
        Timeout::new(deadline, future)
    }

    fn is_panic(_join_error: &JoinError) -> bool {
        false
    }

    fn thread_rng() -> NodeRng {
        NodeRng
    }

    type Mpsc = mpsc::SimMpsc;
    type Watch = watch::SimWatch;
    type Oneshot = oneshot::SimOneshot;
    type Mutex<T: 'static> = mutex::SimMutex<T>;

    fn new(_threads: usize) -> Self {
        SimRuntime
    }

    fn block_on<F, T>(&mut self, _future: F) -> T
    where
        F: Future<Output = T>,
    {
        unimplemented!("the simulator drives openraft step by step, never by block_on")
    }

    fn spawn_blocking<F, T>(_f: F) -> impl Future<Output = Result<T, std::io::Error>> + Send
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // A thread would break replay; nothing in the adapter asks for one.
        std::future::ready(Err(std::io::Error::other(
            "no blocking threads in the simulator",
        )))
    }
}
