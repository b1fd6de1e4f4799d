import Foundation
import TernWASI

/// Where a function's code comes from.
public enum FunctionSource: Sendable, Equatable {
    /// A `.wasm` file, read when the function is installed.
    case file(String)
    /// The module's bytes (uploads, the embedded demo functions).
    case bytes([UInt8])

    func load() throws(SettingsError) -> [UInt8] {
        switch self {
        case .bytes(let bytes):
            return bytes
        case .file(let path):
            do {
                return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
                throw .unreadableFile(path: path, reason: reason)
            }
        }
    }
}

/// A function to install: its settings and its code.
public struct FunctionDefinition: Sendable, Equatable {
    public var settings: FunctionSettings
    public var source: FunctionSource

    public init(settings: FunctionSettings, source: FunctionSource) {
        self.settings = settings
        self.source = source
    }
}

extension FunctionDefinition {
    /// Keys of a function object: Tern's, and Layotto's `name`,
    /// `instance_num` and `vm_config`.
    static let keys: Set<String> = ["id", "name", "path", "instances", "instance_num", "queue", "limits",
                                    "capabilities", "environment", "dirs", "plugin_config", "vm_config"]
    static let vmConfigurationKeys: Set<String> = ["engine", "path", "configuration"]

    /// Reads a function object of the configuration file, or the body of
    /// Layotto's `/wasm/install`.
    /// - Parameter baseDirectory: what relative `path`s are relative to.
    init(json: JSONValue, field: String, baseDirectory: String) throws(SettingsError) {
        let object = try JSONObjectReader(json, path: field)
        try object.rejectUnknownKeys(allowed: FunctionDefinition.keys)
        let vmConfig = try object.object("vm_config")
        try vmConfig?.rejectUnknownKeys(allowed: FunctionDefinition.vmConfigurationKeys)

        let id = try object.string("id"), name = try object.string("name")
        for (key, value) in [("id", id), ("name", name)] {
            if let value, let reason = FunctionIdentifier.problem(with: value) { throw object.invalid(key, reason) }
        }
        guard id != nil || name != nil else { throw object.invalid("id", "a function needs an id or a name") }
        var settings = FunctionSettings(id: id, name: name ?? "")

        switch (try object.string("path"), try vmConfig?.string("path")) {
        case (let path?, nil), (nil, let path?):
            source = .file(path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path)
        case (_?, _?): throw object.invalid("path", "give the module's path once, as path or vm_config.path")
        case (nil, nil): throw object.invalid("path", "missing: the path of the function's .wasm file")
        }

        if let engine = try vmConfig?.string("engine") {
            guard FunctionSettings.engineNames.contains(engine) else {
                throw vmConfig!.invalid("engine", "unknown engine '\(engine)' (expected one of "
                                        + FunctionSettings.engineNames.sorted().joined(separator: ", ")
                                        + "; all run on Tern's engine)")
            }
            settings.engine = engine
        }
        if let value = vmConfig?.value("configuration") { settings.vmConfiguration = FunctionDefinition.bytes(of: value) }
        if let value = object.value("plugin_config") { settings.pluginConfiguration = FunctionDefinition.bytes(of: value) }

        if object.value("instances") != nil && object.value("instance_num") != nil {
            throw object.invalid("instances", "give the instance count once, as instances or instance_num")
        }
        try FunctionDefinition.apply(.instances, from: object, key: object.value("instances") != nil ? "instances" : "instance_num",
                                     to: &settings)
        try FunctionDefinition.apply(.queue, from: object, key: "queue", to: &settings)
        if let limits = try object.object("limits") {
            try limits.rejectUnknownKeys(allowed: Set(FunctionSettings.TextSetting.limits.map(\.rawValue)))
            for setting in FunctionSettings.TextSetting.limits {
                try FunctionDefinition.apply(setting, from: limits, key: setting.rawValue, to: &settings)
            }
        }
        // A list of names, or the same comma-separated.
        if case .array? = object.value("capabilities") {
            let names = try object.stringArray("capabilities") ?? []
            try FunctionDefinition.apply(.capabilities, text: names.joined(separator: ","),
                                         field: object.fieldPath("capabilities"), to: &settings)
        } else {
            try FunctionDefinition.apply(.capabilities, from: object, key: "capabilities", to: &settings)
        }
        if let variables = try object.stringMap("environment") {
            settings.environment = variables.keys.sorted().map { EnvironmentVariable(name: $0, value: variables[$0]!) }
        }
        for (index, text) in (try object.stringArray("dirs") ?? []).enumerated() {
            do {
                settings.directories.append(try RunSandboxOptions.parseDirectory(text))
            } catch {
                throw object.invalid("dirs[\(index)]", "expected HOST[::GUEST][:ro], got '\(text)'")
            }
        }
        if !settings.directories.isEmpty && !settings.capabilities.contains(.filesystem) {
            throw object.invalid("dirs", "directories need the fs capability")
        }
        self.settings = settings
    }

    /// A configuration value as the guest reads it: a string's UTF-8
    /// bytes as they are, anything else as its JSON text.
    static func bytes(of value: JSONValue) -> [UInt8] {
        if case .string(let text) = value { return Array(text.utf8) }
        return value.serializedBytes
    }

    /// Applies the JSON value of `key` (a string, or a number written as
    /// such) as the text of `setting`.
    private static func apply(_ setting: FunctionSettings.TextSetting, from object: JSONObjectReader, key: String,
                              to settings: inout FunctionSettings) throws(SettingsError) {
        let text: String
        switch object.value(key) {
        case nil: return
        case .string(let value)?: text = value
        case .integer(let value)?: text = String(value)
        case let other?: throw object.invalid(key, "expected a string or a whole number, got \(other.kindName)")
        }
        try apply(setting, text: text, field: object.fieldPath(key), to: &settings)
    }

    private static func apply(_ setting: FunctionSettings.TextSetting, text: String, field: String,
                              to settings: inout FunctionSettings) throws(SettingsError) {
        do {
            try settings.apply(setting, text: text)
        } catch {
            throw .invalidField(field: field, reason: error.reason)
        }
    }
}

/// What a function id may be: it appears in URLs (`/functions/{id}`) and
/// headers, so it is kept to a plain token.
public enum FunctionIdentifier {
    public static let maxLength = 128

    /// Why `id` cannot be a function id; nil when it can.
    public static func problem(with id: String) -> String? {
        if id.isEmpty { return "a function id cannot be empty" }
        if id.utf8.count > maxLength { return "a function id has at most \(maxLength) characters" }
        let allowed = id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        return allowed ? nil : "'\(id)' is not a valid function id (letters, digits, '_', '-' and '.' only)"
    }
}
