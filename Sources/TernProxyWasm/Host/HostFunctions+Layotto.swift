/// Layotto's extensions to the ABI.
extension HostCall {
    /// `proxy_get_state(store, key, &value, &size)`: a missing key is `OK`
    /// with an empty value; an unknown store is `NOT_FOUND`; a failing
    /// store is `INTERNAL_FAILURE`.
    func proxyGetState() throws(HostCallError) {
        let storeName = try string(at: 0), key = try string(at: 2)
        try checkReturnSlots(4, 5)
        let value: [UInt8]?
        do {
            value = try state.services.stateStore.get(store: storeName, key: key)
        } catch {
            state.log(.warn, "proxy_get_state \(storeName)/\(key): \(error)")
            switch error {
            case .unknownStore: throw .status(.notFound)
            case .unavailable: throw .status(.internalFailure)
            }
        }
        try returnBytes(value ?? [], toPointersIn: 4)
    }

    /// `proxy_invoke_service(id, method, param, &result, &size)`: calls
    /// function `id` with `param` as its request body and returns its
    /// response body (whatever its status). An unknown id is `NOT_FOUND`; a
    /// failing callee is `INTERNAL_FAILURE`.
    func proxyInvokeService() throws(HostCallError) {
        let functionID = try string(at: 0), method = try string(at: 2), parameter = try bytes(at: 4)
        try checkReturnSlots(6, 7)
        switch try state.invoke(functionID: functionID, method: method, body: parameter, headers: [],
                                deadline: state.deadline) {
        case .success(let response): try returnBytes(response.body, toPointersIn: 6)
        case .failure(.unknownFunction): throw .status(.notFound)
        case .failure: throw .status(.internalFailure)
        }
    }
}
