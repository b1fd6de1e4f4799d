import Foundation

/// What the admin API reports about one installed function.
public struct FunctionStatus: Sendable, Equatable {
    public var id: String
    public var name: String
    public var announcedID: String?
    public var version: Int
    public var engine: String
    public var moduleSize: Int
    public var installedAt: Date
    /// Counted instances alive (leased or idle), and the ceiling.
    public var liveInstances: Int
    public var idleInstances: Int
    public var maxInstances: Int
    /// Temporary instances serving nested invocations beyond the ceiling.
    public var temporaryInstances: Int
    public var queuedRequests: Int
    public var queueLimit: Int
    public var requests: Int
    public var invocations: Int
    public var failures: Int
    public var instancesCreated: Int
    public var limits: FunctionLimits
    public var capabilities: String

    init(_ deployment: Deployment) {
        let pool = deployment.pool.status
        let counters = deployment.counters
        id = deployment.id
        name = deployment.settings.name
        announcedID = deployment.announcedID
        version = deployment.version
        engine = deployment.settings.engine
        moduleSize = deployment.moduleSize
        installedAt = deployment.installedAt
        liveInstances = pool.live
        idleInstances = pool.idle
        maxInstances = pool.maximum
        temporaryInstances = pool.temporary
        queuedRequests = pool.queued
        queueLimit = pool.queueLimit
        requests = counters.requests.load(ordering: .relaxed)
        invocations = counters.invocations.load(ordering: .relaxed)
        failures = counters.failures.load(ordering: .relaxed)
        instancesCreated = counters.instancesCreated.load(ordering: .relaxed)
        limits = deployment.settings.limits
        capabilities = deployment.settings.capabilities.description
    }

    /// The admin API's JSON for it.
    public var json: JSONValue {
        var limitFields: [String: JSONValue] = ["max_invocation_depth": .integer(Int64(limits.maxInvocationDepth))]
        limitFields["max_memory"] = limits.maxMemoryBytes.map { .integer(Int64($0)) }
        limitFields["timeout_ms"] = limits.timeout.map { .integer(Int64($0 / .milliseconds(1))) }
        limitFields["fuel"] = limits.fuel.map { .integer(Int64(clamping: $0)) }
        limitFields["max_call_depth"] = limits.maxCallDepth.map { .integer(Int64($0)) }
        var fields: [String: JSONValue] = [
            "id": .string(id),
            "name": .string(name),
            "version": .integer(Int64(version)),
            "engine": .string(engine),
            "module_size": .integer(Int64(moduleSize)),
            "installed_at": .string(ISO8601DateFormatter().string(from: installedAt)),
            "instances": [
                "live": .integer(Int64(liveInstances)),
                "idle": .integer(Int64(idleInstances)),
                "max": .integer(Int64(maxInstances)),
                "temporary": .integer(Int64(temporaryInstances)),
            ],
            "queue": ["waiting": .integer(Int64(queuedRequests)), "limit": .integer(Int64(queueLimit))],
            "stats": [
                "requests": .integer(Int64(requests)),
                "invocations": .integer(Int64(invocations)),
                "failures": .integer(Int64(failures)),
                "instances_created": .integer(Int64(instancesCreated)),
            ],
            "limits": .object(limitFields),
            "capabilities": .string(capabilities),
        ]
        fields["announced_id"] = announcedID.map(JSONValue.string)
        return .object(fields)
    }
}
