import TernProxyWasm

/// A state store whose calls may block (a remote backend): each call is a
/// blocking section of the worker pool, so a slow store holds only the
/// requests waiting on it.
struct BlockingStateStore: StateStore {
    let base: any StateStore
    let workers: WorkerPool

    func get(store: String, key: String) throws(StateStoreError) -> [UInt8]? {
        try workers.blocking { () throws(StateStoreError) in try base.get(store: store, key: key) }
    }
}

/// Upstream HTTP calls, as blocking sections of the worker pool.
struct BlockingUpstreamClient: UpstreamClient {
    let base: any UpstreamClient
    let workers: WorkerPool

    func allows(upstream: String) -> Bool { base.allows(upstream: upstream) }

    func send(upstream: String, request: FunctionRequest, timeout: Duration?) throws(UpstreamError) -> FunctionResponse {
        try workers.blocking { () throws(UpstreamError) in
            try base.send(upstream: upstream, request: request, timeout: timeout)
        }
    }
}
