//! A bounded multi-producer, single-consumer channel on `Rc<RefCell<..>>`, with weak
//! senders. Senders that find it full wait in a FIFO queue; the receiver is woken by a send
//! or by the last sender's drop. Single-threaded and deterministic.

use openraft::async_runtime::{MpscReceiver, MpscSender, MpscWeakSender, SendError, TryRecvError};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::{Rc, Weak};
use std::task::{Poll, Waker};

struct Inner<T> {
    queue: VecDeque<T>,
    capacity: usize,
    senders: usize,
    receiver_alive: bool,
    recv_waker: Option<Waker>,
    send_wakers: VecDeque<Waker>,
}

impl<T> Inner<T> {
    fn wake_receiver(&mut self) -> Option<Waker> {
        self.recv_waker.take()
    }
}

pub struct Sender<T>(Rc<RefCell<Inner<T>>>);
pub struct WeakSender<T>(Weak<RefCell<Inner<T>>>);
pub struct Receiver<T>(Rc<RefCell<Inner<T>>>);

pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let inner = Rc::new(RefCell::new(Inner {
        queue: VecDeque::new(),
        capacity: capacity.max(1),
        senders: 1,
        receiver_alive: true,
        recv_waker: None,
        send_wakers: VecDeque::new(),
    }));
    (Sender(inner.clone()), Receiver(inner))
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.borrow_mut().senders += 1;
        Sender(self.0.clone())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut inner = self.0.borrow_mut();
            inner.senders -= 1;
            if inner.senders == 0 {
                inner.wake_receiver()
            } else {
                None
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender(self.0.clone())
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let wakers = {
            let mut inner = self.0.borrow_mut();
            inner.receiver_alive = false;
            inner.queue.clear();
            std::mem::take(&mut inner.send_wakers)
        };
        for w in wakers {
            w.wake();
        }
    }
}

impl<T> Sender<T> {
    /// Sends now if there is room (returning the receiver's waker to wake); gives the
    /// value back when the channel is full or closed.
    fn try_send(&self, t: T) -> Result<Option<Waker>, TrySend<T>> {
        let mut inner = self.0.borrow_mut();
        if !inner.receiver_alive {
            return Err(TrySend::Closed(t));
        }
        if inner.queue.len() >= inner.capacity {
            return Err(TrySend::Full(t));
        }
        inner.queue.push_back(t);
        Ok(inner.wake_receiver())
    }
}

enum TrySend<T> {
    Full(T),
    Closed(T),
}

impl<T> MpscSender<SimMpsc, T> for Sender<T> {
    fn send(&self, msg: T) -> impl Future<Output = Result<(), SendError<T>>> {
        let mut msg = Some(msg);
        std::future::poll_fn(move |cx| {
            let t = msg.take().expect("polled after completion");
            match self.try_send(t) {
                Ok(waker) => {
                    if let Some(w) = waker {
                        w.wake();
                    }
                    Poll::Ready(Ok(()))
                }
                Err(TrySend::Closed(t)) => Poll::Ready(Err(SendError(t))),
                Err(TrySend::Full(t)) => {
                    msg = Some(t);
                    self.0
                        .borrow_mut()
                        .send_wakers
                        .push_back(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
    }

    fn downgrade(&self) -> WeakSender<T> {
        WeakSender(Rc::downgrade(&self.0))
    }
}

impl<T> MpscWeakSender<SimMpsc, T> for WeakSender<T> {
    fn upgrade(&self) -> Option<Sender<T>> {
        let inner = self.0.upgrade()?;
        let mut b = inner.borrow_mut();
        if b.senders == 0 {
            return None;
        }
        b.senders += 1;
        drop(b);
        Some(Sender(inner))
    }
}

impl<T> Receiver<T> {
    fn take(&mut self) -> (Result<T, TryRecvError>, Vec<Waker>) {
        let mut inner = self.0.borrow_mut();
        match inner.queue.pop_front() {
            Some(v) => {
                // Room for one more: every waiting sender retries.
                let wakers = inner.send_wakers.drain(..).collect();
                (Ok(v), wakers)
            }
            None if inner.senders == 0 => (Err(TryRecvError::Disconnected), Vec::new()),
            None => (Err(TryRecvError::Empty), Vec::new()),
        }
    }
}

impl<T> MpscReceiver<T> for Receiver<T> {
    fn recv(&mut self) -> impl Future<Output = Option<T>> {
        std::future::poll_fn(move |cx| {
            let (got, wakers) = self.take();
            for w in wakers {
                w.wake();
            }
            match got {
                Ok(v) => Poll::Ready(Some(v)),
                Err(TryRecvError::Disconnected) => Poll::Ready(None),
                Err(TryRecvError::Empty) => {
                    self.0.borrow_mut().recv_waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
    }

    fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let (got, wakers) = self.take();
        for w in wakers {
            w.wake();
        }
        got
    }
}

/// The runtime's bounded channel family.
pub struct SimMpsc;

impl openraft::async_runtime::Mpsc for SimMpsc {
    type Sender<T> = Sender<T>;
    type Receiver<T> = Receiver<T>;
    type WeakSender<T> = WeakSender<T>;

    fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
        channel(buffer)
    }
}
