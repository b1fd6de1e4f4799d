import Dispatch
import Synchronization
import TernEngine

/// Interrupts a command that runs for longer than a time limit, so that an
/// engine bug looping forever fails that one command (it traps with
/// `deadline exceeded`) instead of hanging the whole run.
final class CommandWatchdog {
    private let progress: Progress
    private let timer: DispatchSourceTimer

    /// A command is interrupted between one and two `limit`s after it started.
    init(limit: Duration, interruptHandle: InterruptHandle) {
        let progress = Progress(interruptHandle: interruptHandle)
        self.progress = progress
        timer = DispatchSource.makeTimerSource(queue: .global())
        let interval = DispatchTimeInterval.milliseconds(Int(limit / .milliseconds(1)))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { progress.tick() }
        timer.resume()
    }

    deinit { timer.cancel() }

    func commandStarting() { progress.commandStarting() }

    /// What the runner and the timer share.
    private final class Progress: Sendable {
        let interruptHandle: InterruptHandle
        let commandsStarted = Atomic<Int>(0)
        /// `commandsStarted` at the previous tick.
        let countAtLastTick = Atomic<Int>(-1)

        init(interruptHandle: InterruptHandle) { self.interruptHandle = interruptHandle }

        func commandStarting() {
            interruptHandle.clear()
            commandsStarted.add(1, ordering: .relaxed)
        }

        /// Interrupts when no command has started since the previous tick.
        func tick() {
            let count = commandsStarted.load(ordering: .relaxed)
            if countAtLastTick.exchange(count, ordering: .relaxed) == count {
                interruptHandle.interrupt()
            }
        }
    }
}
