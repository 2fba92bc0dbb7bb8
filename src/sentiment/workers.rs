//! Batches by length, and the worker threads that score them: shared by
//! the sentiment model and the loaded-word detector, whose forward passes
//! differ but whose scheduling does not.

/// Indices of inputs of token lengths `lens`, sorted by length (ties in
/// input order) and cut into batches of [`batch_len`] inputs: each batch
/// pads little, and no worker is left idle.
///
/// ```text
/// length_batches(&[5, 2, 9, 2], 2, 1) == [[1, 3], [0, 2]]
/// ```
pub(crate) fn length_batches(lens: &[usize], batch_size: usize, workers: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lens.len()).collect();
    order.sort_by_key(|&i| (lens[i], i));
    order
        .chunks(batch_len(lens.len(), batch_size, workers))
        .map(<[usize]>::to_vec)
        .collect()
}

/// Inputs per batch: `batch_size`, or fewer when that leaves workers idle
/// (20 inputs, 2 workers: batches of 10, not 16 and 4).
///
/// ```text
/// batch_len(20, 16, 2) == 10;  batch_len(1000, 16, 2) == 16;  batch_len(1, 16, 2) == 1
/// ```
pub(crate) fn batch_len(inputs: usize, batch_size: usize, workers: usize) -> usize {
    inputs.div_ceil(workers.max(1)).clamp(1, batch_size.max(1))
}

/// Runs `work(net, i)` for every batch index `i < batches` on `workers`
/// threads, each with its own handle on the network (`handle()`, made on
/// this thread) and one libtorch thread, each taking the next batch when
/// done with one; `got(i, output)` receives each batch's output here, in
/// the order they finish. The first error stops the rest. With fewer
/// batches than workers, the threads left over go to libtorch instead; a
/// single batch runs on the calling thread, with its libtorch threads.
///
/// On a small machine this beats one forward pass spread over all cores:
/// the matrices of one batch are small enough that the threads of one pass
/// spend much of their time waiting for each other, and a pass whose thread
/// the system descheduled holds up only its own batch.
pub(crate) fn on_workers<N: Send, T: Send>(
    handle: impl Fn() -> N,
    batches: usize,
    workers: usize,
    work: impl Fn(&N, usize) -> Result<T, String> + Sync,
    mut got: impl FnMut(usize, T),
) -> Result<(), String> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<Result<(usize, T), String>>();
    let spawned = workers.clamp(1, batches.max(1));
    if spawned == 1 {
        // One batch (or one worker): here, with this thread's libtorch
        // threads. A new thread would build its own OpenMP pool, which
        // costs more than a small batch when a caller tags one sentence
        // at a time.
        let net = handle();
        let _guard = tch::no_grad_guard();
        for i in 0..batches {
            got(i, work(&net, i)?);
        }
        return Ok(());
    }
    let intra = i32::try_from(workers / spawned).unwrap_or(1).max(1);
    let result = std::thread::scope(|scope| {
        for _ in 0..spawned {
            let tx = tx.clone();
            let net = handle();
            let (next, work) = (&next, &work);
            scope.spawn(move || {
                // Per thread: libtorch's OpenMP and MKL settings are
                // thread-local, so this leaves the caller's threads alone.
                tch::set_num_threads(intra);
                let _guard = tch::no_grad_guard();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= batches {
                        break;
                    }
                    let out = work(&net, i).map(|t| (i, t));
                    let failed = out.is_err();
                    if tx.send(out).is_err() || failed {
                        // Make the other workers stop too.
                        next.store(batches, std::sync::atomic::Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
        drop(tx);
        for message in rx {
            let (i, t) = message?;
            got(i, t);
        }
        Ok::<_, String>(())
    });
    // A worker's `set_num_threads` also set the default that threads which
    // have not used libtorch yet start from: put it back.
    tch::set_num_threads(i32::try_from(workers).unwrap_or(1).max(1));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_leave_no_worker_idle_and_stay_within_the_size() {
        assert_eq!(batch_len(20, 16, 2), 10);
        assert_eq!(batch_len(1000, 16, 2), 16);
        assert_eq!(batch_len(1, 16, 2), 1);
        assert_eq!(batch_len(0, 16, 2), 1);
        assert_eq!(batch_len(33, 16, 3), 11);
        assert_eq!(batch_len(500, 1, 2), 1);
        assert_eq!(batch_len(7, 16, 0), 7);
        assert_eq!(
            length_batches(&[5, 2, 9, 2], 2, 1),
            [vec![1, 3], vec![0, 2]]
        );
        assert_eq!(length_batches(&[3, 1, 2], 16, 2), [vec![1, 2], vec![0]]);
    }
}
