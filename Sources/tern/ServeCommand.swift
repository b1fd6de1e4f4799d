import Foundation
import TernRuntime

extension Command {
    static let serve = Command(
        name: "serve",
        summary: "Serve functions over HTTP, with an admin API to install them",
        usage: """
            usage: tern serve [--config FILE] [--listen HOST:PORT] [--admin HOST:PORT]

            Serves the functions of FILE (JSON, see docs/configuration.md) on the
            functions listener, routed by the header 'id: FUNCTION' or the path
            /functions/FUNCTION/..., and the admin API (Layotto's /wasm/install,
            /wasm/uninstall, /wasm/update; /v1/functions; /healthz) on the admin
            listener. Without --config, serves Layotto's FaaS demo: functions id_1
            and id_2 and state store state_demo with book1 = 100:

              curl -H 'id: id_1' 'localhost:2045?name=book1'

            Once listening, prints one line with the bound addresses (useful with
            port 0): listening on HOST:PORT (functions), HOST:PORT (admin).
            SIGINT or SIGTERM stops accepting, lets requests finish, and exits.

            options:
              --config FILE          the configuration (default: the embedded demo)
              --listen HOST:PORT     functions listener (default 127.0.0.1:2045)
              --admin HOST:PORT      admin listener (default 127.0.0.1:34998)
            """,
        run: { arguments throws(CommandLineError) in
            let stopSignals = StopSignals()
            let configuration = try ServeOptions.parse(arguments).configuration()
            let server: TernServer
            do {
                server = try TernServer(configuration: configuration)
            } catch {
                throw .failure("error: \(error)")
            }
            for function in server.runtime.functions {
                print("installed \(function.id) (\(function.name), up to \(function.maxInstances) instances)")
            }
            print("listening on \(server.functionsAddress) (functions), \(server.adminAddress) (admin)")
            fflush(nil)  // all streams: stdout is block-buffered when piped
            stopSignals.wait()
            server.shutdown()
            return ExitStatus.success
        }
    )
}

/// The options of `tern serve`.
struct ServeOptions {
    var configurationFile: String?
    var functionsListener: ListenAddress?
    var adminListener: ListenAddress?

    static func parse(_ arguments: [String]) throws(CommandLineError) -> ServeOptions {
        var options = ServeOptions()
        var reader = ArgumentReader(arguments)
        while !reader.isAtEnd {
            guard reader.nextIsOption else { throw .usage("unexpected argument '\(reader.remaining[0])'") }
            let (name, value) = try reader.nextOption()
            switch name {
            case "--config": options.configurationFile = value
            case "--listen": options.functionsListener = try listenAddress(value, option: name)
            case "--admin": options.adminListener = try listenAddress(value, option: name)
            default: throw .usage("unknown option '\(name)'")
            }
        }
        return options
    }

    /// The file's configuration (or the demo), with the listeners given on
    /// the command line.
    func configuration() throws(CommandLineError) -> RuntimeConfiguration {
        var configuration = RuntimeConfiguration.demo
        if let configurationFile {
            do {
                configuration = try RuntimeConfiguration.load(file: configurationFile)
            } catch {
                throw .failure("error: \(configurationFile): \(error)")
            }
        }
        configuration.functionsListener = functionsListener ?? configuration.functionsListener
        configuration.adminListener = adminListener ?? configuration.adminListener
        return configuration
    }
}

/// `HOST:PORT` as an option value.
func listenAddress(_ text: String, option: String) throws(CommandLineError) -> ListenAddress {
    guard let address = ListenAddress(text) else { throw .usage("\(option) expects HOST:PORT, got '\(text)'") }
    return address
}

/// SIGINT and SIGTERM, taken by `wait()` instead of killing the process
/// mid-request. They are blocked in the calling thread, and so in every
/// thread started after it (threads inherit the mask): a stop signal sent
/// at any moment stays pending until `wait()` takes it, whichever thread
/// the kernel would have picked. Writing to a closed connection must not
/// kill the process either, so SIGPIPE is ignored.
struct StopSignals {
    private let signals: sigset_t

    /// Call before any thread is started.
    init() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
        self.signals = signals
    }

    /// Blocks until SIGINT or SIGTERM arrives.
    func wait() {
        var signals = self.signals
        var received: Int32 = 0
        sigwait(&signals, &received)
    }
}
