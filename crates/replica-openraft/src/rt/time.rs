//! Simulated time for openraft: an [`SimInstant`] is the world's clock in nanoseconds, a
//! [`Sleep`] a timer in the node's executor, a [`Timeout`] a future raced against one.
//! Nothing here reads a wall clock.

use super::executor::{Executor, TimerSlot};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// A point of simulated time, in nanoseconds since the run began.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimInstant(pub u64);

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Add<Duration> for SimInstant {
    type Output = SimInstant;
    fn add(self, d: Duration) -> SimInstant {
        SimInstant(self.0.saturating_add(nanos(d)))
    }
}
impl AddAssign<Duration> for SimInstant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}
impl Sub<Duration> for SimInstant {
    type Output = SimInstant;
    fn sub(self, d: Duration) -> SimInstant {
        SimInstant(self.0.saturating_sub(nanos(d)))
    }
}
impl SubAssign<Duration> for SimInstant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}
impl Sub<SimInstant> for SimInstant {
    type Output = Duration;
    fn sub(self, earlier: SimInstant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

impl openraft::Instant for SimInstant {
    fn now() -> SimInstant {
        SimInstant(Executor::current().now_ns())
    }
}

/// Completes at its deadline of simulated time.
pub struct Sleep {
    deadline_ns: u64,
    /// Registered with the executor at the first pending poll; dropping it cancels.
    slot: Option<Rc<TimerSlot>>,
}

impl Sleep {
    pub fn until(deadline: SimInstant) -> Sleep {
        Sleep {
            deadline_ns: deadline.0,
            slot: None,
        }
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let exec = Executor::current();
        if exec.now_ns() >= self.deadline_ns {
            self.slot = None;
            return Poll::Ready(());
        }
        match &self.slot {
            Some(slot) => *slot.borrow_mut() = Some(cx.waker().clone()),
            None => {
                let slot = Rc::new(TimerSlot::new(Some(cx.waker().clone())));
                exec.add_timer(self.deadline_ns, Rc::downgrade(&slot));
                self.slot = Some(slot);
            }
        }
        Poll::Pending
    }
}

/// The deadline passed before the future completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline elapsed (simulated time)")
    }
}
impl std::error::Error for Elapsed {}

/// `F` raced against a [`Sleep`]; the future wins a tie (it is polled first).
pub struct Timeout<R, F> {
    fut: Pin<Box<F>>,
    sleep: Sleep,
    _out: PhantomData<fn() -> R>,
}

impl<R, F: Future<Output = R>> Timeout<R, F> {
    pub fn new(deadline: SimInstant, fut: F) -> Self {
        Timeout {
            fut: Box::pin(fut),
            sleep: Sleep::until(deadline),
            _out: PhantomData,
        }
    }
}

impl<R, F: Future<Output = R>> Future for Timeout<R, F> {
    type Output = Result<R, Elapsed>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(v) = self.fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match Pin::new(&mut self.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Unpin for Sleep {}
