using Xunit;

namespace MailOAuth.Core.Tests;

/// <summary>
/// The only tests that still wait in wall time, run alone: <c>Entra.ReplicationTests</c> measure the
/// in-process sandbox's real replication lag end to end (Core → Azure.Identity/MSAL → Kestrel → the
/// sandbox's lag) and assert how long the ride-out took. Azure.Identity and MSAL judge token lifetimes
/// by the machine's clock, which no TimeProvider reaches, so the sandbox and Core cannot share a fake
/// clock there; and on a 2-core machine, other classes running beside them would stretch a lag of a
/// few seconds past its bound. Every other timing test runs on a fake clock (TestClock), in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WallClockCollection
{
    public const string Name = "WallClock";
}
