extension Duration {
    /// This duration as a `poll`/`epoll_wait` timeout: whole milliseconds,
    /// rounded up so a wait never ends just short of a deadline and spins;
    /// 0 when not positive, `Int32.max` when too long.
    var pollTimeoutMilliseconds: Int32 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        guard seconds < Int64(Int32.max) / 1000 else { return Int32.max }
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        return Int32(clamping: seconds * 1000 + (attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond)
    }
}
