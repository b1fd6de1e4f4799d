import TernWASI

/// The command line of `tern run`: `[OPTIONS] FILE [--invoke NAME] [ARGS...]`.
/// Only the shape is decided here; every option is a sandbox option whose
/// value `RunSandboxOptions` parses.
struct RunOptions: Equatable {
    var modulePath: String
    /// The words after FILE (and its `--invoke NAME`): the invoked
    /// function's arguments, or the WASI command's `argv` after its name.
    var guestArguments: [String] = []
    var sandbox = RunSandboxOptions()

    init(modulePath: String) { self.modulePath = modulePath }

    /// Parses `[OPTIONS] FILE [--invoke NAME] [ARGS...]`: options come
    /// before FILE, except `--invoke`, which may also directly follow it, so
    /// that everything after belongs to the guest however it is spelled.
    static func parse(_ arguments: [String]) throws(CommandLineError) -> RunOptions {
        var reader = ArgumentReader(arguments)
        var sandbox = RunSandboxOptions()
        while reader.nextIsOption {
            try apply(try reader.nextOption(), to: &sandbox)
        }
        guard let modulePath = reader.next() else { throw .usage("missing the module FILE") }
        if let word = reader.remaining.first, word == "--invoke" || word.hasPrefix("--invoke=") {
            try apply(try reader.nextOption(), to: &sandbox)
        }
        do {
            try sandbox.validate()
        } catch {
            throw .usage(error.description)
        }
        var options = RunOptions(modulePath: modulePath)
        options.guestArguments = reader.remaining
        options.sandbox = sandbox
        return options
    }

    private static func apply(_ option: (name: String, value: String),
                              to sandbox: inout RunSandboxOptions) throws(CommandLineError) {
        do {
            try sandbox.apply(option: option.name, value: option.value)
        } catch {
            throw .usage(error.description)
        }
    }
}
