/// Why one command of a script failed.
struct CommandFailure: Error {
    var reason: String

    init(_ reason: String) { self.reason = reason }
}
