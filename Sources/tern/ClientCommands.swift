import Foundation
import TernHTTP
import TernRuntime

// The client side of `tern serve`: deploy, ls and rm talk to its admin API,
// invoke to its functions listener.

extension Command {
    static let deploy = Command(
        name: "deploy",
        summary: "Install or replace a function on a running tern serve",
        usage: """
            usage: tern deploy ID FILE.wasm [OPTIONS]

            Uploads FILE as function ID (PUT /v1/functions/ID on the admin API).
            The module is compiled and started before it is routed: an invalid
            module is refused with the reason and changes nothing. Replacing a
            function is atomic: requests in progress finish on the old version.

            options:
              --instances N          most instances (default: one per core)
              --queue N              most requests waiting for an instance (default 256)
              --max-memory SIZE      cap each memory, e.g. 64MiB (default 256MiB)
              --timeout DURATION     deadline of each request, e.g. 500ms, 2s (default 30s)
              --fuel N               instruction budget of each call
              --max-depth N          Wasm call depth
              --max-invocation-depth N
                                     deepest chain of calls between functions (default 8)
              --allow CAPS           WASI capabilities: args,env,clock,random,stdio,fs
              --env NAME=VALUE       a guest environment variable (repeatable)
              --plugin-config TEXT   what the guest reads in proxy_on_configure
              --admin HOST:PORT      the admin API (default 127.0.0.1:34998)
            """,
        run: { arguments throws(CommandLineError) in
            var reader = ArgumentReader(arguments)
            guard let id = reader.next(), let path = reader.next() else { throw .usage("deploy needs ID and FILE") }
            var admin = ListenAddress.defaultAdmin
            var parameters: [(String, String)] = []
            while !reader.isAtEnd {
                let (name, value) = try reader.nextOption()
                if name == "--admin" {
                    admin = try listenAddress(value, option: name)
                } else if let parameter = deployParameters[name] {
                    parameters.append((parameter, value))
                } else {
                    throw .usage("unknown option '\(name)'")
                }
            }
            guard let module = FileManager.default.contents(atPath: path) else {
                throw .failure("error: cannot read \(path)")
            }
            let response = try ServerConnection(admin).send(
                .put, path: "/v1/functions/\(id)" + queryString(parameters), body: [UInt8](module))
            let status = try ServerConnection.json(response)
            let version = status["version"].map(\.text) ?? "?"
            let instances = status["instances"]?.objectField("max").map(\.text) ?? "?"
            print("deployed \(id) (version \(version), up to \(instances) instances)")
            return ExitStatus.success
        }
    )

    static let ls = Command(
        name: "ls",
        summary: "List the functions of a running tern serve",
        usage: """
            usage: tern ls [--admin HOST:PORT]

            One line per function: its id, install name, version, instances
            (alive/most), requests waiting, requests served, calls from other
            functions, failures, and module size.
            """,
        run: { arguments throws(CommandLineError) in
            let admin = try adminOption(arguments)
            let listing = try ServerConnection.json(try ServerConnection(admin).send(.get, path: "/v1/functions"))
            guard case .array(let functions)? = listing["functions"] else {
                throw .failure("error: unexpected answer from the admin API")
            }
            if functions.isEmpty {
                print("no functions installed")
                return ExitStatus.success
            }
            let header = ["ID", "NAME", "VERSION", "INSTANCES", "QUEUED", "REQUESTS", "INVOCATIONS", "FAILURES", "SIZE"]
            let rows = functions.map { function -> [String] in
                let instances = function.objectField("instances"), stats = function.objectField("stats")
                return [
                    function.objectField("id")?.text ?? "?",
                    function.objectField("name")?.text ?? "?",
                    function.objectField("version")?.text ?? "?",
                    "\(instances?.objectField("live")?.text ?? "?")/\(instances?.objectField("max")?.text ?? "?")",
                    function.objectField("queue")?.objectField("waiting")?.text ?? "?",
                    stats?.objectField("requests")?.text ?? "?",
                    stats?.objectField("invocations")?.text ?? "?",
                    stats?.objectField("failures")?.text ?? "?",
                    byteSize(function.objectField("module_size")),
                ]
            }
            print(table([header] + rows), terminator: "")
            return ExitStatus.success
        }
    )

    static let rm = Command(
        name: "rm",
        summary: "Remove a function from a running tern serve",
        usage: """
            usage: tern rm ID [--admin HOST:PORT]

            Unroutes function ID (DELETE /v1/functions/ID); requests in progress
            finish.
            """,
        run: { arguments throws(CommandLineError) in
            guard let id = arguments.first, !id.hasPrefix("-") else { throw .usage("rm needs the function ID") }
            let admin = try adminOption(Array(arguments.dropFirst()))
            _ = try ServerConnection.json(try ServerConnection(admin).send(.delete, path: "/v1/functions/\(id)"))
            print("removed \(id)")
            return ExitStatus.success
        }
    )

    static let invoke = Command(
        name: "invoke",
        summary: "Call a function of a running tern serve and print its answer",
        usage: """
            usage: tern invoke ID [--data TEXT|@FILE] [--header NAME:VALUE]... [OPTIONS]

            Sends a request to function ID (with the header 'id: ID') and prints
            the response body. Exits with 1 when the status is not 2xx (the status
            goes to stderr, the body still to stdout).

            options:
              --data TEXT            the request body; @FILE reads it from FILE
              --header NAME:VALUE    a request header (repeatable)
              --method METHOD        default: POST with --data, else GET
              --path PATH            path and query the function sees (default /)
              --listen HOST:PORT     the functions listener (default 127.0.0.1:2045)
            """,
        run: { arguments throws(CommandLineError) in
            var reader = ArgumentReader(arguments)
            guard let id = reader.next(), !id.hasPrefix("-") else { throw .usage("invoke needs the function ID") }
            var listener = ListenAddress.defaultFunctions
            var body: [UInt8]?
            var headers: HTTPHeaders = [FunctionRouter.routingHeader: id]
            var method: HTTPMethod?
            var path = "/"
            while !reader.isAtEnd {
                let (name, value) = try reader.nextOption()
                switch name {
                case "--data": body = try requestBody(value)
                case "--header":
                    guard let colon = value.firstIndex(of: ":"), colon != value.startIndex else {
                        throw .usage("--header expects NAME:VALUE, got '\(value)'")
                    }
                    headers.add(name: String(value[..<colon]),
                                value: value[value.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                case "--method": method = HTTPMethod(rawValue: value)
                case "--path": path = value.hasPrefix("/") ? value : "/" + value
                case "--listen": listener = try listenAddress(value, option: name)
                default: throw .usage("unknown option '\(name)'")
                }
            }
            let response = try ServerConnection(listener).send(
                method ?? (body == nil ? .get : .post), path: path, headers: headers, body: body ?? [])
            FileHandle.standardOutput.write(Data(response.body))
            guard response.status.isSuccess else {
                printError("HTTP \(response.status)")
                return ExitStatus.failure
            }
            return ExitStatus.success
        }
    )
}

/// `tern deploy` options and the query parameters they become.
private let deployParameters: [String: String] = [
    "--instances": "instances", "--queue": "queue", "--max-memory": "max_memory", "--timeout": "timeout",
    "--fuel": "fuel", "--max-depth": "max_call_depth", "--max-invocation-depth": "max_invocation_depth",
    "--allow": "capabilities", "--env": "env", "--plugin-config": "plugin_config",
]

/// Reads an optional `--admin HOST:PORT` and nothing else.
private func adminOption(_ arguments: [String]) throws(CommandLineError) -> ListenAddress {
    var reader = ArgumentReader(arguments)
    var admin = ListenAddress.defaultAdmin
    while !reader.isAtEnd {
        let (name, value) = try reader.nextOption()
        guard name == "--admin" else { throw .usage("unknown option '\(name)'") }
        admin = try listenAddress(value, option: name)
    }
    return admin
}

private func requestBody(_ value: String) throws(CommandLineError) -> [UInt8] {
    guard value.hasPrefix("@") else { return Array(value.utf8) }
    let path = String(value.dropFirst())
    guard let data = FileManager.default.contents(atPath: path) else { throw .failure("error: cannot read \(path)") }
    return [UInt8](data)
}

private func queryString(_ parameters: [(String, String)]) -> String {
    var allowed = CharacterSet.urlQueryAllowed
    allowed.remove(charactersIn: "&=+")
    let pairs = parameters.map { name, value in
        "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
    }
    return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
}

/// Left-aligned columns separated by two spaces, one line per row.
private func table(_ rows: [[String]]) -> String {
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
        }.joined() + "\n"
    }.joined()
}

private func byteSize(_ value: JSONValue?) -> String {
    guard case .integer(let bytes)? = value else { return "?" }
    if bytes < 1 << 10 { return "\(bytes)B" }
    if bytes < 1 << 20 { return String(format: "%.1fKiB", Double(bytes) / 1024) }
    return String(format: "%.1fMiB", Double(bytes) / 1048576)
}

/// Requests to a `tern serve` listener, with errors phrased for the CLI.
private struct ServerConnection {
    let address: ListenAddress
    private let client = HTTPClient(configuration: .init(timeout: .seconds(120), reusesConnections: false))

    init(_ address: ListenAddress) {
        self.address = address
    }

    func send(_ method: HTTPMethod, path: String, headers: HTTPHeaders = [:],
              body: [UInt8] = []) throws(CommandLineError) -> HTTPResponse {
        do {
            return try client.send(method, host: address.host, port: address.port, path: path, headers: headers,
                                   body: body)
        } catch .connectionFailed {
            throw .failure("error: cannot connect to \(address): is 'tern serve' running there?")
        } catch {
            throw .failure("error: \(address): \(error)")
        }
    }

    /// The JSON object of an admin answer; a refusal becomes its message.
    static func json(_ response: HTTPResponse) throws(CommandLineError) -> [String: JSONValue] {
        let value = try? JSONValue.parse(response.body)
        guard response.status.isSuccess else {
            let message = value?.objectField("error")?.text ?? String(decoding: response.body, as: UTF8.self)
            throw .failure("error: \(message) (HTTP \(response.status.code))")
        }
        guard case .object(let fields)? = value else { throw .failure("error: unexpected answer from the admin API") }
        return fields
    }
}

private extension JSONValue {
    func objectField(_ key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }

    /// Strings as they are, anything else as JSON.
    var text: String {
        if case .string(let value) = self { return value }
        return serialized
    }
}
