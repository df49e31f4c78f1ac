import Foundation

/// The thread the PostgreSQL pool's tasks run on: `PostgresClient.run()` and the tasks that
/// lease its connections (``ConnectionLease``), preferred over Swift's shared concurrency pool.
///
/// The store is called from threads that block until a connection is lent (``StateStore`` is
/// synchronous). Had the lending run on the shared pool (as many threads as cores, 2 here), a
/// process whose pool threads were all blocked elsewhere (a test suite's blocking tests, a
/// handler doing blocking work) could never hand a connection out: every use would time out.
/// The work here is small (the pool's bookkeeping; the I/O is on SwiftNIO's event loops), so
/// one thread serves every store of the process.
final class PostgresExecutor: TaskExecutor, @unchecked Sendable {
    /// The one executor of the process, started on first use, never stopped.
    static let shared = PostgresExecutor()

    /// Jobs waiting, guarded by ``condition``.
    private var jobs: [UnownedJob] = []
    private let condition = NSCondition()

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "smspartner-notify postgres"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }
}
