#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TernEngine

/// Interrupts stores whose invocation ran past its deadline. One timer
/// thread serves every armed deadline (a binary heap ordered by deadline on
/// `CLOCK_MONOTONIC`), so arming and disarming are a lock, a heap push and,
/// when the new deadline is the earliest, a condition signal: no thread or
/// kernel timer per invocation.
///
/// Typical use, per invocation:
///
///     let token = DeadlineTimer.shared.arm(store.interruptHandle, after: .milliseconds(100))
///     defer { DeadlineTimer.shared.disarm(token) }
///     try function.invoke(arguments)   // traps `deadline exceeded` if late
///
/// When the deadline passes, the timer calls `InterruptHandle.interrupt()`;
/// running code traps with `deadline exceeded` at its next loop back-edge or
/// function entry. The instance that trapped is discarded by the caller. A
/// store reused after a `disarm` that returned true (the timer fired, maybe
/// just after the invocation finished) must `clear()` its interrupt handle.
public final class DeadlineTimer: @unchecked Sendable {
    /// Identifies one armed deadline.
    public struct Token: Hashable, Sendable {
        let id: UInt64
    }

    /// The process-wide timer (its thread starts on first use).
    public static let shared = DeadlineTimer()

    private struct Armed {
        var handle: InterruptHandle
        var deadline: UInt64
    }

    // Everything below is guarded by `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Min-heap of (deadline, id); entries no longer in `armed` are stale
    /// and skipped (and compacted away when they dominate).
    private var heap: [(deadline: UInt64, id: UInt64)] = []
    private var armed: [UInt64: Armed] = [:]
    private var nextID: UInt64 = 1
    private var threadStarted = false
    private var stopping = false
    private var firedCount = 0

    public init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        // Only reached when the thread never started or has stopped (it
        // holds a reference while running).
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// The current time of the timer's clock (`CLOCK_MONOTONIC`), in ns.
    public static func now() -> UInt64 {
        (try? HostSystem.time(CLOCK_MONOTONIC)) ?? 0
    }

    /// Interrupts `handle` once `duration` has passed (from now).
    @discardableResult
    public func arm(_ handle: InterruptHandle, after duration: Duration) -> Token {
        let (seconds, attoseconds) = duration.components
        let nanoseconds: UInt64
        if seconds < 0 {
            nanoseconds = 0
        } else {
            let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
            nanoseconds = overflow ? .max : whole.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000)).partialValue
        }
        let now = DeadlineTimer.now()
        let deadline = now > UInt64.max - nanoseconds ? UInt64.max : now + nanoseconds
        return arm(handle, deadline: deadline)
    }

    /// Interrupts `handle` when `CLOCK_MONOTONIC` reaches `deadline` (ns,
    /// see `now()`).
    @discardableResult
    public func arm(_ handle: InterruptHandle, deadline: UInt64) -> Token {
        lock()
        defer { unlock() }
        let id = nextID
        nextID += 1
        armed[id] = Armed(handle: handle, deadline: deadline)
        push((deadline, id))
        if heap[0].id == id { pthread_cond_signal(condition) }
        if !threadStarted { startThread() }
        return Token(id: id)
    }

    /// Cancels a deadline. Returns true if it had already fired (the
    /// handle was interrupted), false if it was cancelled in time.
    @discardableResult
    public func disarm(_ token: Token) -> Bool {
        lock()
        defer { unlock() }
        guard armed.removeValue(forKey: token.id) != nil else { return true }
        if heap.count > 64 && heap.count > 4 * armed.count { compact() }
        return false
    }

    /// Deadlines currently armed.
    public var armedCount: Int {
        lock()
        defer { unlock() }
        return armed.count
    }

    /// How many deadlines have fired since the timer was created.
    public var fired: Int {
        lock()
        defer { unlock() }
        return firedCount
    }

    /// Stops the timer thread (armed deadlines no longer fire). For timers
    /// other than `shared`, which lives as long as the process.
    public func shutdown() {
        lock()
        stopping = true
        pthread_cond_signal(condition)
        unlock()
    }

    // MARK: The timer thread

    private func startThread() {
        threadStarted = true
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let timer = Unmanaged<DeadlineTimer>.fromOpaque(context!).takeRetainedValue()
            timer.run()
            return nil
        }, context)
        if result == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<DeadlineTimer>.fromOpaque(context).release()
            threadStarted = false
        }
    }

    private func run() {
        lock()
        defer { unlock() }
        while !stopping {
            // Drop cancelled entries from the top.
            while let top = heap.first, armed[top.id] == nil { pop() }
            guard let top = heap.first else {
                pthread_cond_wait(condition, mutex)
                continue
            }
            let now = DeadlineTimer.now()
            if top.deadline <= now {
                pop()
                if let entry = armed.removeValue(forKey: top.id) {
                    entry.handle.interrupt()
                    firedCount += 1
                }
                continue
            }
            var until = timespec(tv_sec: Int(clamping: top.deadline / 1_000_000_000),
                                 tv_nsec: Int(top.deadline % 1_000_000_000))
            pthread_cond_timedwait(condition, mutex, &until)
        }
        threadStarted = false
    }

    private func lock() { pthread_mutex_lock(mutex) }
    private func unlock() { pthread_mutex_unlock(mutex) }

    // MARK: Heap

    private func push(_ element: (deadline: UInt64, id: UInt64)) {
        heap.append(element)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func pop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count && heap[right].deadline < heap[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private func compact() {
        let live = armed.map { (deadline: $0.value.deadline, id: $0.key) }
        heap = []
        for element in live { push(element) }
    }
}
