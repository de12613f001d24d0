using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MailOAuth.Core.Checks;

/// <summary>The SPF, DKIM and DMARC checks of a sender domain (Spf, Dkim, Dmarc).</summary>
public interface IDnsCheck
{
    /// <param name="domain">The sender's domain.</param>
    /// <param name="environmentName">The cloud, for Exchange Online's SPF include when Graph's expectation is not known.</param>
    /// <param name="dnsServers">Resolvers to ask, or null for the system's.</param>
    /// <param name="expectedSpf">Microsoft 365's SPF record for the domain, from Graph's serviceConfigurationRecords
    /// (docs/service-behaviour.md#service-configuration-records), or null when it could not be read: its includes are then
    /// required instead of the cloud's default.</param>
    /// <param name="ct">Cancels the lookups.</param>
    Task<IReadOnlyList<CheckResult>> CheckAsync(string domain, string environmentName, IReadOnlyList<string>? dnsServers, string? expectedSpf, CancellationToken ct);
}
