#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A WASI snapshot preview1 `errno` (what a WASI call returns to the guest).
public struct WASIErrno: Error, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let success = WASIErrno(rawValue: 0)
    public static let tooBig = WASIErrno(rawValue: 1)            // 2BIG
    public static let access = WASIErrno(rawValue: 2)            // ACCES
    public static let again = WASIErrno(rawValue: 6)             // AGAIN
    public static let badFileDescriptor = WASIErrno(rawValue: 8) // BADF
    public static let busy = WASIErrno(rawValue: 10)
    public static let exists = WASIErrno(rawValue: 20)           // EXIST
    public static let fault = WASIErrno(rawValue: 21)            // FAULT
    public static let fileTooBig = WASIErrno(rawValue: 22)       // FBIG
    public static let illegalSequence = WASIErrno(rawValue: 25)  // ILSEQ
    public static let interrupted = WASIErrno(rawValue: 27)      // INTR
    public static let invalid = WASIErrno(rawValue: 28)          // INVAL
    public static let io = WASIErrno(rawValue: 29)               // IO
    public static let isDirectory = WASIErrno(rawValue: 31)      // ISDIR
    public static let loop = WASIErrno(rawValue: 32)             // LOOP
    public static let tooManyFiles = WASIErrno(rawValue: 33)     // MFILE
    public static let nameTooLong = WASIErrno(rawValue: 37)      // NAMETOOLONG
    public static let noEntry = WASIErrno(rawValue: 44)          // NOENT
    public static let noMemory = WASIErrno(rawValue: 48)         // NOMEM
    public static let noSpace = WASIErrno(rawValue: 51)          // NOSPC
    public static let noSys = WASIErrno(rawValue: 52)            // NOSYS
    public static let notDirectory = WASIErrno(rawValue: 54)     // NOTDIR
    public static let notEmpty = WASIErrno(rawValue: 55)         // NOTEMPTY
    public static let notSupported = WASIErrno(rawValue: 58)     // NOTSUP
    public static let notTTY = WASIErrno(rawValue: 59)           // NOTTY
    public static let overflow = WASIErrno(rawValue: 61)         // OVERFLOW
    public static let permission = WASIErrno(rawValue: 63)       // PERM
    public static let pipe = WASIErrno(rawValue: 64)             // PIPE
    public static let readOnlyFileSystem = WASIErrno(rawValue: 69) // ROFS
    public static let invalidSeek = WASIErrno(rawValue: 70)      // SPIPE
    public static let crossDevice = WASIErrno(rawValue: 75)      // XDEV
    /// The call needs a capability the function was not granted, or would
    /// leave the sandbox. Every ENOTCAPABLE is recorded in `DeniedCallLog`.
    public static let notCapable = WASIErrno(rawValue: 76)       // NOTCAPABLE

    public var description: String {
        if let name = WASIErrno.names[rawValue] { return "\(name) (\(rawValue))" }
        return "errno \(rawValue)"
    }

    private static let names: [UInt16: String] = [
        0: "SUCCESS", 1: "2BIG", 2: "ACCES", 6: "AGAIN", 8: "BADF", 10: "BUSY", 20: "EXIST", 21: "FAULT",
        22: "FBIG", 25: "ILSEQ", 27: "INTR", 28: "INVAL", 29: "IO", 31: "ISDIR", 32: "LOOP", 33: "MFILE",
        37: "NAMETOOLONG", 44: "NOENT", 48: "NOMEM", 51: "NOSPC", 52: "NOSYS", 54: "NOTDIR", 55: "NOTEMPTY",
        58: "NOTSUP", 59: "NOTTY", 61: "OVERFLOW", 63: "PERM", 64: "PIPE", 69: "ROFS", 70: "SPIPE",
        75: "XDEV", 76: "NOTCAPABLE",
    ]

    /// Maps a host `errno` to its WASI counterpart; unknown values become
    /// `EIO` so no host-specific number reaches the guest.
    init(host error: HostErrno) {
        self = WASIErrno.fromHost[error.rawValue] ?? .io
    }

    private static let fromHost: [Int32: WASIErrno] = {
        let pairs: [(Int32, UInt16)] = [
            (E2BIG, 1), (EACCES, 2), (EADDRINUSE, 3), (EADDRNOTAVAIL, 4), (EAFNOSUPPORT, 5), (EAGAIN, 6),
            (EALREADY, 7), (EBADF, 8), (EBADMSG, 9), (EBUSY, 10), (ECANCELED, 11), (ECHILD, 12),
            (ECONNABORTED, 13), (ECONNREFUSED, 14), (ECONNRESET, 15), (EDEADLK, 16), (EDESTADDRREQ, 17),
            (EDOM, 18), (EDQUOT, 19), (EEXIST, 20), (EFAULT, 21), (EFBIG, 22), (EHOSTUNREACH, 23),
            (EIDRM, 24), (EILSEQ, 25), (EINPROGRESS, 26), (EINTR, 27), (EINVAL, 28), (EIO, 29),
            (EISCONN, 30), (EISDIR, 31), (ELOOP, 32), (EMFILE, 33), (EMLINK, 34), (EMSGSIZE, 35),
            (EMULTIHOP, 36), (ENAMETOOLONG, 37), (ENETDOWN, 38), (ENETRESET, 39), (ENETUNREACH, 40),
            (ENFILE, 41), (ENOBUFS, 42), (ENODEV, 43), (ENOENT, 44), (ENOEXEC, 45), (ENOLCK, 46),
            (ENOLINK, 47), (ENOMEM, 48), (ENOMSG, 49), (ENOPROTOOPT, 50), (ENOSPC, 51), (ENOSYS, 52),
            (ENOTCONN, 53), (ENOTDIR, 54), (ENOTEMPTY, 55), (ENOTRECOVERABLE, 56), (ENOTSOCK, 57),
            (ENOTSUP, 58), (ENOTTY, 59), (ENXIO, 60), (EOVERFLOW, 61), (EOWNERDEAD, 62), (EPERM, 63),
            (EPIPE, 64), (EPROTO, 65), (EPROTONOSUPPORT, 66), (EPROTOTYPE, 67), (ERANGE, 68), (EROFS, 69),
            (ESPIPE, 70), (ESRCH, 71), (ESTALE, 72), (ETIMEDOUT, 73), (ETXTBSY, 74), (EXDEV, 75),
        ]
        var table: [Int32: WASIErrno] = [:]
        for (host, wasi) in pairs { table[host] = WASIErrno(rawValue: wasi) }
        return table
    }()
}

/// WASI preview1 rights (`rights` flags).
public struct WASIRights: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let fdDatasync = WASIRights(rawValue: 1 << 0)
    public static let fdRead = WASIRights(rawValue: 1 << 1)
    public static let fdSeek = WASIRights(rawValue: 1 << 2)
    public static let fdFdstatSetFlags = WASIRights(rawValue: 1 << 3)
    public static let fdSync = WASIRights(rawValue: 1 << 4)
    public static let fdTell = WASIRights(rawValue: 1 << 5)
    public static let fdWrite = WASIRights(rawValue: 1 << 6)
    public static let fdAdvise = WASIRights(rawValue: 1 << 7)
    public static let fdAllocate = WASIRights(rawValue: 1 << 8)
    public static let pathCreateDirectory = WASIRights(rawValue: 1 << 9)
    public static let pathCreateFile = WASIRights(rawValue: 1 << 10)
    public static let pathLinkSource = WASIRights(rawValue: 1 << 11)
    public static let pathLinkTarget = WASIRights(rawValue: 1 << 12)
    public static let pathOpen = WASIRights(rawValue: 1 << 13)
    public static let fdReaddir = WASIRights(rawValue: 1 << 14)
    public static let pathReadlink = WASIRights(rawValue: 1 << 15)
    public static let pathRenameSource = WASIRights(rawValue: 1 << 16)
    public static let pathRenameTarget = WASIRights(rawValue: 1 << 17)
    public static let pathFilestatGet = WASIRights(rawValue: 1 << 18)
    public static let pathFilestatSetSize = WASIRights(rawValue: 1 << 19)
    public static let pathFilestatSetTimes = WASIRights(rawValue: 1 << 20)
    public static let fdFilestatGet = WASIRights(rawValue: 1 << 21)
    public static let fdFilestatSetSize = WASIRights(rawValue: 1 << 22)
    public static let fdFilestatSetTimes = WASIRights(rawValue: 1 << 23)
    public static let pathSymlink = WASIRights(rawValue: 1 << 24)
    public static let pathRemoveDirectory = WASIRights(rawValue: 1 << 25)
    public static let pathUnlinkFile = WASIRights(rawValue: 1 << 26)
    public static let pollFdReadwrite = WASIRights(rawValue: 1 << 27)
    public static let sockShutdown = WASIRights(rawValue: 1 << 28)
    public static let sockAccept = WASIRights(rawValue: 1 << 29)

    /// Every right that modifies the file system or a file's contents.
    public static let mutating: WASIRights = [
        .fdDatasync, .fdWrite, .fdAllocate, .pathCreateDirectory, .pathCreateFile, .pathLinkSource,
        .pathLinkTarget, .pathRenameSource, .pathRenameTarget, .pathFilestatSetSize, .pathFilestatSetTimes,
        .fdFilestatSetSize, .fdFilestatSetTimes, .pathSymlink, .pathRemoveDirectory, .pathUnlinkFile,
    ]
    /// Every right defined by preview1 (sockets excluded: Tern has none).
    public static let all = WASIRights(rawValue: (1 << 28) - 1)
    /// What a read-only preopen grants on itself and on everything opened
    /// beneath it.
    public static let readOnly = WASIRights.all.subtracting(.mutating)
    /// The standard streams' rights when `stdio` is granted.
    static let standardInput: WASIRights = [.fdRead, .fdFdstatSetFlags, .fdFilestatGet, .pollFdReadwrite]
    static let standardOutput: WASIRights = [.fdWrite, .fdFdstatSetFlags, .fdFilestatGet, .pollFdReadwrite, .fdDatasync, .fdSync]
}

/// WASI `filetype`.
enum WASIFileType: UInt8 {
    case unknown = 0, blockDevice, characterDevice, directory, regularFile, socketDgram, socketStream, symbolicLink

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFBLK: self = .blockDevice
        case S_IFCHR: self = .characterDevice
        case S_IFDIR: self = .directory
        case S_IFREG: self = .regularFile
        case S_IFSOCK: self = .socketStream
        case S_IFLNK: self = .symbolicLink
        default: self = .unknown
        }
    }

    init(direntType: UInt8) {
        switch Int(direntType) {
        case Int(DT_BLK): self = .blockDevice
        case Int(DT_CHR): self = .characterDevice
        case Int(DT_DIR): self = .directory
        case Int(DT_REG): self = .regularFile
        case Int(DT_SOCK): self = .socketStream
        case Int(DT_LNK): self = .symbolicLink
        default: self = .unknown
        }
    }
}

/// Flag constants of preview1 (`fdflags`, `oflags`, `lookupflags`, ...).
enum WASIFlags {
    static let fdflagsAppend: UInt16 = 1 << 0
    static let fdflagsDsync: UInt16 = 1 << 1
    static let fdflagsNonblock: UInt16 = 1 << 2
    static let fdflagsRsync: UInt16 = 1 << 3
    static let fdflagsSync: UInt16 = 1 << 4

    static let oflagsCreat: UInt16 = 1 << 0
    static let oflagsDirectory: UInt16 = 1 << 1
    static let oflagsExcl: UInt16 = 1 << 2
    static let oflagsTrunc: UInt16 = 1 << 3

    static let lookupSymlinkFollow: UInt32 = 1 << 0

    static let whenceSet: UInt8 = 0
    static let whenceCur: UInt8 = 1
    static let whenceEnd: UInt8 = 2

    static let clockRealtime: UInt32 = 0
    static let clockMonotonic: UInt32 = 1
    static let clockProcessCPUTime: UInt32 = 2
    static let clockThreadCPUTime: UInt32 = 3

    static let eventTypeClock: UInt8 = 0
    static let eventTypeFdRead: UInt8 = 1
    static let eventTypeFdWrite: UInt8 = 2
    static let subscriptionClockAbstime: UInt16 = 1 << 0
}
