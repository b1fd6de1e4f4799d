import Synchronization

/// The routing table: route id -> current deployment, and install name ->
/// route id.
///
/// Requests read it with one lock acquisition that copies a reference to
/// the current table (held for nanoseconds, never across guest code);
/// changes build a new table and swap it in under the same lock, so a
/// reader sees either the old or the new table, never a mix.
final class FunctionRegistry: Sendable {
    struct Table {
        var deployments: [String: Deployment] = [:]
        var idsByName: [String: String] = [:]
    }

    private let table = Mutex(Table())

    var snapshot: Table { table.withLock { $0 } }

    func deployment(id: String) -> Deployment? {
        snapshot.deployments[id]
    }

    /// The deployment a shared queue's VM id designates: the guest's
    /// announced id (which proxy-wasm namespaces queues by), or the route id.
    func deployment(vmID: String) -> Deployment? {
        let current = snapshot
        return current.deployments[vmID] ?? current.deployments.values.first { $0.announcedID == vmID }
    }

    func deployment(named name: String) -> Deployment? {
        let current = snapshot
        return current.idsByName[name].flatMap { current.deployments[$0] }
    }

    /// Routes `deployment.id` to `deployment`, under the install name
    /// `deployment.settings.name`, if `check` accepts the current table.
    /// Returns the deployment it replaces.
    func publish(_ deployment: Deployment,
                 check: (Table) throws(DeploymentError) -> Void) throws(DeploymentError) -> Deployment? {
        try table.withLock { (table: inout Table) throws(DeploymentError) -> Deployment? in
            try check(table)
            let replaced = table.deployments.updateValue(deployment, forKey: deployment.id)
            if let replaced { table.idsByName[replaced.settings.name] = nil }
            table.idsByName[deployment.settings.name] = deployment.id
            return replaced
        }
    }

    /// Unroutes `id`; returns what was routed.
    func remove(id: String) -> Deployment? {
        table.withLock { table in
            guard let removed = table.deployments.removeValue(forKey: id) else { return nil }
            table.idsByName[removed.settings.name] = nil
            return removed
        }
    }

    /// Unroutes everything (shutdown); returns what was routed.
    func removeAll() -> [Deployment] {
        table.withLock { table in
            defer { table = Table() }
            return Array(table.deployments.values)
        }
    }
}
