import TernEngine

/// Why a WASI call failed: the errno the guest sees and, for denials
/// (`ENOTCAPABLE`), the reason recorded in the `DeniedCallLog`; or a trap
/// that stops the guest instead (`proc_exit`, an interrupt while blocked).
struct WASICallError: Error {
    var errno: WASIErrno
    var reason: String?
    var trap: Trap?

    init(_ errno: WASIErrno, _ reason: String? = nil) {
        self.errno = errno
        self.reason = reason
    }

    init(_ host: HostErrno) { self.init(WASIErrno(host: host)) }

    init(trap: Trap) {
        self.errno = .success
        self.trap = trap
    }

    static func denied(_ reason: String) -> WASICallError { WASICallError(.notCapable, reason) }
}
