using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MailOAuth.Core.Checks;

/// <summary>The SPF, DKIM and DMARC checks of a sender domain (Spf, Dkim, Dmarc).</summary>
public interface IDnsCheck
{
    Task<IReadOnlyList<CheckResult>> CheckAsync(string domain, string environmentName, IReadOnlyList<string>? dnsServers, CancellationToken ct);
}
