//! An async mutex on a `RefCell`: a task that finds it locked waits in a FIFO queue and is
//! woken when the guard is dropped (all waiters retry, in queue order). Single-threaded and deterministic.

use std::cell::{RefCell, RefMut};
use std::collections::VecDeque;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

pub struct SimMutex<T> {
    value: RefCell<T>,
    waiters: RefCell<VecDeque<Waker>>,
}

pub struct Guard<'a, T> {
    value: Option<RefMut<'a, T>>,
    mutex: &'a SimMutex<T>,
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.value.as_ref().expect("held until dropped")
    }
}
impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value.as_mut().expect("held until dropped")
    }
}
impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        self.value = None;
        // Every waiter tries again (a woken task may have been dropped meanwhile; waking
        // one only could leave a live waiter asleep for ever).
        let waiters = std::mem::take(&mut *self.mutex.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}

struct Lock<'a, T>(&'a SimMutex<T>);

impl<'a, T> Future for Lock<'a, T> {
    type Output = Guard<'a, T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Guard<'a, T>> {
        let m = self.0;
        match m.value.try_borrow_mut() {
            Ok(value) => Poll::Ready(Guard {
                value: Some(value),
                mutex: m,
            }),
            Err(_) => {
                m.waiters.borrow_mut().push_back(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T: 'static> openraft::async_runtime::Mutex<T> for SimMutex<T> {
    type Guard<'a> = Guard<'a, T>;

    fn new(value: T) -> Self {
        SimMutex {
            value: RefCell::new(value),
            waiters: RefCell::new(VecDeque::new()),
        }
    }

    fn lock(&self) -> impl Future<Output = Guard<'_, T>> {
        Lock(self)
    }
}
