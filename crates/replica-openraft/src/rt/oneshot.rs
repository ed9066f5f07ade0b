//! A oneshot channel on `Rc<RefCell<..>>`: single-threaded, no atomics, no randomness. The
//! receiver is woken when the value arrives or the sender is dropped.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Inner<T> {
    value: Option<T>,
    sender_alive: bool,
    receiver_alive: bool,
    waker: Option<Waker>,
}

pub struct Sender<T>(Rc<RefCell<Inner<T>>>);
pub struct Receiver<T>(Rc<RefCell<Inner<T>>>);

/// The sender was dropped without sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Canceled;

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oneshot sender dropped")
    }
}
impl std::error::Error for Canceled {}

pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Rc::new(RefCell::new(Inner {
        value: None,
        sender_alive: true,
        receiver_alive: true,
        waker: None,
    }));
    (Sender(inner.clone()), Receiver(inner))
}

impl<T> Sender<T> {
    pub fn send(self, t: T) -> Result<(), T> {
        let waker = {
            let mut inner = self.0.borrow_mut();
            if !inner.receiver_alive {
                return Err(t);
            }
            inner.value = Some(t);
            inner.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut inner = self.0.borrow_mut();
            inner.sender_alive = false;
            inner.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.0.borrow_mut().receiver_alive = false;
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Canceled>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut inner = self.0.borrow_mut();
        if let Some(v) = inner.value.take() {
            return Poll::Ready(Ok(v));
        }
        if !inner.sender_alive {
            return Poll::Ready(Err(Canceled));
        }
        inner.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Unpin for Receiver<T> {}

/// The runtime's oneshot family.
pub struct SimOneshot;

impl openraft::async_runtime::Oneshot for SimOneshot {
    type Sender<T> = Sender<T>;
    type Receiver<T> = Receiver<T>;
    type ReceiverError = Canceled;

    fn channel<T>() -> (Sender<T>, Receiver<T>) {
        channel()
    }
}

impl<T> openraft::async_runtime::OneshotSender<T> for Sender<T> {
    fn send(self, t: T) -> Result<(), T> {
        Sender::send(self, t)
    }
}
