namespace MailOAuth.Sandbox.Dns;

/// <summary>The records of one DNS name: its TXT strings (each one record) and at most one CNAME.</summary>
/// <param name="Txt">One entry per TXT record, the record's text (character-strings joined).</param>
/// <param name="Cname">The canonical name this name is an alias of, or null.</param>
public sealed record DnsNameRecords(IReadOnlyList<string> Txt, string? Cname)
{
    public static readonly DnsNameRecords Empty = new([], null);

    public bool IsEmpty => Txt.Count == 0 && Cname is null;
}

/// <summary>
/// The sandbox's DNS zone data: name → records, and whether the server answers at all. One lock;
/// names are compared without case and without a trailing dot, as DNS does.
/// </summary>
public sealed class DnsRecordStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DnsNameRecords> _names = new(StringComparer.OrdinalIgnoreCase);
    private TaskCompletionSource _answering = Answered();

    public DnsRecordStore()
    {
        Reset();
    }

    /// <summary>False: queries are held unanswered until answering is on again (a resolver that times out).</summary>
    public bool Answering
    {
        get { lock (_gate) return _answering.Task.IsCompleted; }
        set
        {
            lock (_gate)
            {
                if (value)
                {
                    _answering.TrySetResult();
                }
                else if (_answering.Task.IsCompleted)
                {
                    _answering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }

    /// <summary>Completes when <see cref="Answering"/> is (or becomes) true.</summary>
    public Task WhenAnswering
    {
        get { lock (_gate) return _answering.Task; }
    }

    private static TaskCompletionSource Answered()
    {
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        answered.SetResult();
        return answered;
    }

    /// <summary>The records of <paramref name="name"/>, or null when the name does not exist (NXDOMAIN).</summary>
    public DnsNameRecords? Find(string name)
    {
        var key = Normalize(name);
        lock (_gate)
        {
            if (_names.TryGetValue(key, out var records))
            {
                return records;
            }

            // An empty non-terminal (e.g. _domainkey.contoso.com when selector1._domainkey.contoso.com exists) exists: NODATA, not NXDOMAIN.
            var suffix = "." + key;
            return _names.Keys.Any(k => k.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) ? DnsNameRecords.Empty : null;
        }
    }

    /// <summary>Replaces the records of <paramref name="name"/>; empty records remove the name.</summary>
    public void Set(string name, DnsNameRecords records)
    {
        var key = Normalize(name);
        lock (_gate)
        {
            if (records.IsEmpty)
            {
                _names.Remove(key);
            }
            else
            {
                _names[key] = records with { Txt = records.Txt.ToArray() };
            }
        }
    }

    public bool Remove(string name)
    {
        lock (_gate) return _names.Remove(Normalize(name));
    }

    /// <summary>Every name and its records, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, DnsNameRecords>> Snapshot()
    {
        lock (_gate) return _names.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The seeded zones again (<see cref="DnsSeed"/>), answering on.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _names.Clear();
            foreach (var (name, records) in DnsSeed.Records())
            {
                _names[Normalize(name)] = records;
            }

        }

        Answering = true;
    }

    /// <summary>Lower case, no trailing dot.</summary>
    public static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();
}
