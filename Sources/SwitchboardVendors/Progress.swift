import SwitchboardCore

/// Long work a host may show while it runs (`swb` draws a bar on stderr): an action's
/// objects as they complete, a listing's objects as pages arrive. Set on
/// `VendorRegistry.progress`. Calls come from the evaluating thread and from the action
/// runner's task, so implementations must be thread-safe.
public protocol ProgressReporter: AnyObject, Sendable {
    /// Begins a task of `total` steps (nil when unknown, as when paging); returns its id.
    func start(_ label: String, total: Int?) -> Int
    /// `steps` more steps of the task are done.
    func advance(_ id: Int, by steps: Int)
    /// The task ended: done, failed or interrupted. Called once per task.
    func finish(_ id: Int)
}

/// `stream`, reporting one step per object pulled: the task starts with the first pull
/// (streams are lazy: nothing is fetched before) and finishes when the stream ends, fails
/// or is abandoned.
func reportingProgress(_ stream: ValueStream, label: String, to reporter: (any ProgressReporter)?) -> ValueStream {
    guard let reporter else { return stream }
    final class TaskState { var id: Int?; var ended = false }
    let task = TaskState()
    return ValueStream(next: {
        if task.id == nil && !task.ended { task.id = reporter.start(label, total: nil) }
        guard let v = try stream.next() else { return nil }
        if let id = task.id, !task.ended { reporter.advance(id, by: 1) }
        return v
    }, onClose: {
        if let id = task.id, !task.ended { reporter.finish(id) }
        task.ended = true
        stream.close()
    })
}
