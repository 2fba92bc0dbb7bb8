//! One bounded prefetch: a second thread reads ahead of the work, so that
//! reading, decoding and hashing overlap with the analysis. Pass 1, pass 2
//! and the benchmarks all read through it.

/// Runs `f` over the items `make` yields, each turned into a `T` by
/// `prepare` on a second thread that reads ahead (reading, decoding and
/// hashing overlap with the analysis). The reader stops as soon as `f`
/// returns. `make` runs on the reading thread, so its iterator need not be
/// `Send`.
///
/// The reader keeps at most 1,024 items and [`READ_AHEAD_BYTES`] of
/// `weight` (the texts it holds) ahead of `f`; an item heavier than that
/// alone still passes, one at a time.
pub(crate) fn read_ahead<X, I: Iterator<Item = X>, T: Send, R>(
    make: impl FnOnce() -> I + Send,
    prepare: impl Fn(X) -> T + Send,
    weight: impl Fn(&T) -> usize + Sync,
    f: impl FnOnce(&mut dyn Iterator<Item = T>) -> R,
) -> R {
    use std::sync::{Condvar, Mutex, PoisonError};
    // Bytes sent and not yet taken, whether the reader waits for them to
    // be taken, and whether `f` is done. Weightless items (files not read
    // yet) take no lock: a wake-up costs a system call.
    let ahead = (Mutex::new((0usize, false, false)), Condvar::new());
    let (state, changed) = (&ahead.0, &ahead.1);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(1024);
        let weight = &weight;
        scope.spawn(move || {
            for item in make() {
                let item = prepare(item);
                let w = weight(&item);
                if w > 0 {
                    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                    while s.0 > 0 && s.0 + w > READ_AHEAD_BYTES && !s.2 {
                        s.1 = true;
                        s = changed.wait(s).unwrap_or_else(PoisonError::into_inner);
                    }
                    s.1 = false;
                    if s.2 {
                        break;
                    }
                    s.0 += w;
                }
                if tx.send(item).is_err() {
                    break;
                }
            }
        });
        let mut items = rx.into_iter().inspect(|item| {
            let w = weight(item);
            if w > 0 {
                let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                s.0 = s.0.saturating_sub(w);
                if s.1 {
                    changed.notify_all();
                }
            }
        });
        let r = f(&mut items);
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.2 = true;
        changed.notify_all();
        drop(s);
        r
    })
}

/// What [`read_ahead`] may hold of texts read ahead.
pub(crate) const READ_AHEAD_BYTES: usize = 64 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_ahead_holds_no_more_than_its_byte_budget() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let mb = 1024 * 1024;
        // Sizes in MiB (460 in all): a 100 MiB item passes alone.
        let sizes = [30, 30, 30, 100, 5, 5, 40, 40, 60, 60, 60];
        let (ahead, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let got = read_ahead(
            || sizes.iter().map(|s| s * mb),
            |w| {
                let now = ahead.fetch_add(w, Ordering::SeqCst) + w;
                most.fetch_max(now, Ordering::SeqCst);
                w
            },
            |w| *w,
            |items| {
                let mut got = Vec::new();
                for w in items {
                    ahead.fetch_sub(w, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    got.push(w / mb);
                }
                got
            },
        );
        assert_eq!(got, sizes);
        // Counted here from when the reader prepares an item (before it
        // waits) to when the consumer takes it (after the reader may go
        // on): the budget plus two of the largest items at most.
        assert!(most.load(Ordering::SeqCst) <= READ_AHEAD_BYTES + 200 * mb);
        assert!(most.load(Ordering::SeqCst) > 0);
    }

    #[test]
    fn read_ahead_stops_with_its_consumer_even_when_the_reader_waits() {
        let huge = READ_AHEAD_BYTES;
        let taken = read_ahead(
            || std::iter::repeat_n(huge, 10_000),
            |w| w,
            |w| *w,
            |items| items.take(2).count(),
        );
        assert_eq!(taken, 2);
    }
}
