//! A watch channel on `Rc<RefCell<..>>`: the last value and a version; receivers remember
//! the version they saw and wait for a newer one. Waiters are woken in the order they
//! started waiting — tokio's watch wakes them through a randomly seeded choice, which
//! would not replay. Semantics otherwise follow tokio's: `send` fails (and keeps the old
//! value) when no receiver is left; `send_if_modified` always applies the change.

use openraft::async_runtime::watch::{RecvError, SendError, WatchReceiver, WatchSender};
use std::cell::{Ref, RefCell};
use std::rc::Rc;
use std::task::{Poll, Waker};

struct Inner<T> {
    value: T,
    version: u64,
    senders: usize,
    receivers: usize,
    waiters: Vec<Waker>,
}

pub struct Sender<T>(Rc<RefCell<Inner<T>>>);
pub struct Receiver<T> {
    inner: Rc<RefCell<Inner<T>>>,
    seen: u64,
}

pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let inner = Rc::new(RefCell::new(Inner {
        value: init,
        version: 0,
        senders: 1,
        receivers: 1,
        waiters: Vec::new(),
    }));
    (Sender(inner.clone()), Receiver { inner, seen: 0 })
}

fn wake_all(wakers: Vec<Waker>) {
    for w in wakers {
        w.wake();
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.borrow_mut().senders += 1;
        Sender(self.0.clone())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let wakers = {
            let mut inner = self.0.borrow_mut();
            inner.senders -= 1;
            if inner.senders == 0 {
                std::mem::take(&mut inner.waiters)
            } else {
                Vec::new()
            }
        };
        wake_all(wakers);
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.inner.borrow_mut().receivers += 1;
        Receiver {
            inner: self.inner.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.inner.borrow_mut().receivers -= 1;
    }
}

impl<T> WatchSender<SimWatch, T> for Sender<T> {
    fn send(&self, value: T) -> Result<(), SendError<T>> {
        let wakers = {
            let mut inner = self.0.borrow_mut();
            if inner.receivers == 0 {
                return Err(SendError(value));
            }
            inner.value = value;
            inner.version += 1;
            std::mem::take(&mut inner.waiters)
        };
        wake_all(wakers);
        Ok(())
    }

    fn send_if_modified<F>(&self, modify: F) -> bool
    where
        F: FnOnce(&mut T) -> bool,
    {
        let wakers = {
            let mut inner = self.0.borrow_mut();
            if !modify(&mut inner.value) {
                return false;
            }
            inner.version += 1;
            std::mem::take(&mut inner.waiters)
        };
        wake_all(wakers);
        true
    }

    fn borrow_watched(&self) -> Ref<'_, T> {
        Ref::map(self.0.borrow(), |i| &i.value)
    }

    fn subscribe(&self) -> Receiver<T> {
        let mut inner = self.0.borrow_mut();
        inner.receivers += 1;
        let seen = inner.version;
        drop(inner);
        Receiver {
            inner: self.0.clone(),
            seen,
        }
    }
}

impl<T> WatchReceiver<SimWatch, T> for Receiver<T> {
    async fn changed(&mut self) -> Result<(), RecvError> {
        std::future::poll_fn(|cx| {
            let mut inner = self.inner.borrow_mut();
            if inner.version != self.seen {
                self.seen = inner.version;
                return Poll::Ready(Ok(()));
            }
            if inner.senders == 0 {
                return Poll::Ready(Err(RecvError(())));
            }
            if !inner.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                inner.waiters.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    fn borrow_watched(&self) -> Ref<'_, T> {
        Ref::map(self.inner.borrow(), |i| &i.value)
    }

    #[cfg(not(feature = "alpha24-api"))]
    fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let inner = self.inner.borrow();
        self.seen = inner.version;
        Ref::map(inner, |i| &i.value)
    }
}

/// The runtime's watch family.
pub struct SimWatch;

impl openraft::async_runtime::watch::Watch for SimWatch {
    type Sender<T> = Sender<T>;
    type Receiver<T> = Receiver<T>;
    type Ref<'a, T: 'a> = Ref<'a, T>;

    fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
        channel(init)
    }
}
