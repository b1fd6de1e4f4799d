import Foundation
import TernHTTP
import TernProxyWasm

/// Why `tern serve` could not start.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    /// A function of the configuration could not be installed.
    case function(name: String, DeploymentError)
    /// A listener could not be opened (`role`: functions or admin).
    case listen(role: String, address: ListenAddress, HTTPServerError)

    public var description: String {
        switch self {
        case .function(let name, let error): "cannot install function '\(name)': \(error)"
        case .listen(let role, let address, let error): "cannot listen on \(address) (\(role)): \(error)"
        }
    }
}

/// A running `tern serve`: the runtime with the configured functions, the
/// functions listener and the admin listener.
public final class TernServer: Sendable {
    public let runtime: FunctionRuntime
    /// The bound addresses (the actual ports when the configuration asked
    /// for port 0).
    public let functionsAddress: ListenAddress
    public let adminAddress: ListenAddress
    private let functionsServer: HTTPServer
    private let adminServer: HTTPServer

    /// Largest module the admin API accepts.
    public static let maxModuleBytes = 256 << 20

    /// Installs the configured functions, then opens the listeners.
    /// - Parameter baseDirectory: what relative paths given to Layotto's
    ///   `/wasm/install` are relative to.
    public init(configuration: RuntimeConfiguration,
                baseDirectory: String = FileManager.default.currentDirectoryPath) throws(ServerError) {
        let logger = StandardErrorLogger(minimumLevel: configuration.logLevel)
        let runtime = FunctionRuntime(
            workers: configuration.workers, stateStores: configuration.stateStores,
            upstreams: configuration.upstreams.isEmpty ? nil : HTTPUpstreamClient(upstreams: configuration.upstreams),
            logger: logger)
        for function in configuration.functions {
            do {
                try runtime.install(function, mode: .new)
            } catch {
                throw .function(name: function.settings.id ?? function.settings.name, error)
            }
        }
        let httpLogger: @Sendable (String) -> Void = { message in
            FileHandle.standardError.write(Data("[http] \(message)\n".utf8))
        }
        let functions = configuration.functionsListener, admin = configuration.adminListener
        do {
            functionsServer = try HTTPServer(
                configuration: .init(host: functions.host, port: functions.port, logger: httpLogger),
                handler: FunctionRouter(runtime: runtime))
        } catch {
            throw .listen(role: "functions", address: functions, error)
        }
        do {
            adminServer = try HTTPServer(
                configuration: .init(host: admin.host, port: admin.port, eventLoopCount: 1,
                                     limits: HTTPLimits(maxBodyBytes: TernServer.maxModuleBytes), logger: httpLogger),
                handler: AdminAPI(runtime: runtime, baseDirectory: baseDirectory))
        } catch {
            functionsServer.shutdown(gracePeriod: .zero)
            throw .listen(role: "admin", address: admin, error)
        }
        self.runtime = runtime
        functionsAddress = ListenAddress(host: functions.host, port: functionsServer.port)
        adminAddress = ListenAddress(host: admin.host, port: adminServer.port)
    }

    /// Stops accepting, lets requests in progress finish (up to
    /// `gracePeriod`), then stops the runtime.
    public func shutdown(gracePeriod: Duration = .seconds(10)) {
        adminServer.shutdown(gracePeriod: gracePeriod)
        functionsServer.shutdown(gracePeriod: gracePeriod)
        runtime.shutdown()
    }
}
