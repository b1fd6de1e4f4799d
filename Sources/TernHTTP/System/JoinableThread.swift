import CTernSystem
import Glibc

/// A joinable POSIX thread. Event loops use their own threads rather than
/// Dispatch or Swift concurrency so that each loop owns exactly one thread
/// for its whole life and shutdown can join it.
struct JoinableThread: Sendable {
    private let handle: pthread_t

    private final class Entry {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// `pthread_create(3)`; `name` (at most 15 bytes are kept) shows in
    /// debuggers and `top -H`.
    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) -> JoinableThread {
        let entry = Unmanaged.passRetained(Entry(name: name, body: body)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { argument in
            guard let argument else { return nil }
            let entry = Unmanaged<Entry>.fromOpaque(argument).takeRetainedValue()
            ctern_set_current_thread_name(entry.name)
            entry.body()
            return nil
        }, entry)
        guard status == 0 else {
            Unmanaged<Entry>.fromOpaque(entry).release()
            throw SystemError("pthread_create", code: status)
        }
        return JoinableThread(handle: handle)
    }

    /// `pthread_join(3)`: waits for the thread to finish. Call once.
    func join() {
        _ = pthread_join(handle, nil)
    }

    /// Whether the calling thread is this thread (`pthread_equal(3)`).
    var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }
}
