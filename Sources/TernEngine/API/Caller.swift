/// What a host function sees of its caller: the calling instance (for its
/// memory) and the store.
public struct Caller {
    let instanceEntity: UnsafeMutablePointer<InstanceEntity>?
    public let store: Store
}
