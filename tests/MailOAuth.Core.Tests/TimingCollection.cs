using Xunit;

namespace MailOAuth.Core.Tests;

/// <summary>
/// Tests that measure real elapsed time (Retry-After gaps, replication budgets) run alone: on a 2-core
/// machine, other test classes running in parallel would stretch a 0.5 s wait past any sane bound.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}
