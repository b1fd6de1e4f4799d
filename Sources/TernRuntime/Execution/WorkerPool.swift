#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The threads that run guest code: never the HTTP event loops, never a
/// thread per request.
///
/// `workerCount` threads (one per core by default) take jobs from one FIFO
/// queue; the lock guarding it is held only to push or pop a job. A worker
/// that blocks in a host call (a state store, an upstream) says so with
/// `blocking(_:)`; if jobs are then waiting and no worker is free, the pool
/// starts an extra thread, so a slow backend holds only the requests that
/// use it. Extra threads exit when they find no work and the pool is back
/// above `workerCount` runnable threads.
final class WorkerPool: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    let workerCount: Int
    /// Ceiling on threads, extra ones included.
    let maxThreadCount: Int

    // Guarded by `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let workAvailable: UnsafeMutablePointer<pthread_cond_t>
    private var jobs = FIFO<Job>()
    private var threadCount = 0
    private var idleCount = 0
    private var blockedCount = 0
    private var isStopping = false

    /// Marks the threads of this pool, so `blocking(_:)` called from any
    /// other thread (an admin or test thread) changes nothing.
    private let workerKey: pthread_key_t

    init(workerCount: Int, maxThreadCount: Int? = nil) {
        self.workerCount = max(1, workerCount)
        self.maxThreadCount = max(self.workerCount, maxThreadCount ?? self.workerCount * 16)
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        workAvailable = .allocate(capacity: 1)
        pthread_cond_init(workAvailable, nil)
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        workerKey = key
        lock()
        for _ in 0..<self.workerCount { startThread() }
        unlock()
    }

    deinit {
        // Reached only after `shutdown()` once every thread has left (each
        // holds a reference while it runs).
        pthread_key_delete(workerKey)
        pthread_cond_destroy(workAvailable)
        workAvailable.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Queues `job`; it runs on a worker thread.
    func submit(_ job: @escaping Job) {
        lock()
        defer { unlock() }
        jobs.push(job)
        if idleCount > 0 {
            pthread_cond_signal(workAvailable)
        } else if threadCount - blockedCount < workerCount {
            startThread()
        }
    }

    /// Runs `body`, which may block for a long time (I/O, a remote store),
    /// counting the calling worker as blocked meanwhile.
    func blocking<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        guard isWorkerThread else { return try body() }
        lock()
        blockedCount += 1
        if !jobs.isEmpty && idleCount == 0 && threadCount - blockedCount < workerCount { startThread() }
        unlock()
        defer {
            lock()
            blockedCount -= 1
            unlock()
        }
        return try body()
    }

    /// Stops the threads once the jobs already queued have run.
    func shutdown() {
        lock()
        isStopping = true
        pthread_cond_broadcast(workAvailable)
        unlock()
    }

    /// Threads currently alive, extra ones included.
    var threads: Int {
        lock()
        defer { unlock() }
        return threadCount
    }

    private var isWorkerThread: Bool {
        pthread_getspecific(workerKey) == Unmanaged.passUnretained(self).toOpaque()
    }

    // MARK: Threads

    /// Called with the lock held.
    private func startThread() {
        guard threadCount < maxThreadCount, !isStopping else { return }
        let context = Unmanaged.passRetained(self).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // Nested invocations run on the caller's thread, each adding
        // interpreter and host frames: give them room.
        pthread_attr_setstacksize(&attributes, 16 << 20)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { context in
            let pool = Unmanaged<WorkerPool>.fromOpaque(context!).takeRetainedValue()
            pool.work()
            return nil
        }, context)
        if status == 0 {
            threadCount += 1
        } else {
            Unmanaged<WorkerPool>.fromOpaque(context).release()
        }
    }

    private func work() {
        pthread_setspecific(workerKey, Unmanaged.passUnretained(self).toOpaque())
        lock()
        while true {
            if let job = jobs.pop() {
                unlock()
                job()
                lock()
                continue
            }
            // Surplus threads (started while others were blocked) leave.
            if isStopping || threadCount - blockedCount > workerCount { break }
            idleCount += 1
            pthread_cond_wait(workAvailable, mutex)
            idleCount -= 1
        }
        threadCount -= 1
        unlock()
    }

    private func lock() { pthread_mutex_lock(mutex) }
    private func unlock() { pthread_mutex_unlock(mutex) }
}
