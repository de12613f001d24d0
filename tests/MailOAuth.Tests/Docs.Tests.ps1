#requires -Version 7.2
<#
    The repository explains itself: every markdown link stays inside it and resolves, every citation
    of docs/service-behaviour.md or docs/design.md names an anchor that exists, and nothing cites the
    team documents that are not part of the project. Reads files only; needs no built module.
    The conventions are stated at the top of docs/service-behaviour.md.
#>

BeforeAll {
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:skipDirs = 'bin', 'obj', 'out', '.git', 'node_modules', 'TestResults'
    $script:textExtensions = '.cs', '.ps1', '.psm1', '.psd1', '.ps1xml', '.md', '.csproj', '.props', '.targets', '.json', '.xml', '.txt', '.yml', '.yaml', '.sh', '.sln'
    $script:citedDocs = 'docs/service-behaviour.md', 'docs/design.md'

    # The project's text files: the root files and everything under its source folders, build output excluded.
    function Get-RepoFile([string[]] $Extension = $script:textExtensions) {
        $folders = 'src', 'tests', 'build', 'docs', 'examples', '.ci' | ForEach-Object { Join-Path $script:root $_ } | Where-Object { Test-Path $_ }
        $files = @(Get-ChildItem -LiteralPath $script:root -File) + @($folders | ForEach-Object { Get-ChildItem -LiteralPath $_ -File -Recurse })
        $files | Where-Object {
            $rel = [IO.Path]::GetRelativePath($script:root, $_.FullName) -replace '\\', '/'
            $parts = $rel -split '/'
            -not ($parts[0..($parts.Count - 2)] | Where-Object { $_ -in $script:skipDirs }) -and $_.Extension -in $Extension
        }
    }

    function Get-RelativePath([string] $Path) { [IO.Path]::GetRelativePath($script:root, $Path) -replace '\\', '/' }

    # The text of a markdown document with fenced code blocks and inline code spans blanked out
    # (their content is never a link), keeping line structure.
    function Remove-MarkdownCode([string] $Text) {
        $lines = $Text -split "`n"
        $fence = $null
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i] -match '^\s*(`{3,}|~{3,})') {
                $marker = $Matches[1]
                if ($null -eq $fence) { $fence = $marker; $lines[$i] = ''; continue }
                if ($marker[0] -eq $fence[0] -and $marker.Length -ge $fence.Length) { $fence = $null; $lines[$i] = ''; continue }
            }
            if ($null -ne $fence) { $lines[$i] = ''; continue }
            $lines[$i] = [regex]::Replace($lines[$i], '(`+)(?:(?!\1).)+?\1', '')
        }
        $lines -join "`n"
    }

    # The anchors a document offers: explicit <a id="…"> / <a name="…"> and GitHub's heading slugs.
    $script:anchorCache = @{}
    function Get-MarkdownAnchor([string] $Path) {
        if ($script:anchorCache.ContainsKey($Path)) { return $script:anchorCache[$Path] }
        $text = Get-Content -Raw -LiteralPath $Path
        $explicit = [regex]::Matches($text, '<a\s+(?:id|name)="([^"]+)"') | ForEach-Object { $_.Groups[1].Value }
        $headings = [regex]::Matches((Remove-MarkdownCode $text), '(?m)^#{1,6}\s+(.+?)\s*#*\s*$') | ForEach-Object {
            ($_.Groups[1].Value.ToLowerInvariant() -replace '[^\p{L}\p{Nd}\s_-]', '' -replace '\s', '-')
        }
        $script:anchorCache[$Path] = @($explicit) + @($headings)
        $script:anchorCache[$Path]
    }

    # Links of one markdown file that leave the repository or do not resolve: "target: reason".
    # Get-Help's RELATED LINKS in docs/help/<cmdlet>.md are the one place absolute https links belong
    # (they become MAML navigation links for Get-Help -Online).
    function Test-MarkdownLink([string] $Path) {
        $text = Remove-MarkdownCode (Get-Content -Raw -LiteralPath $Path)
        $rel = Get-RelativePath $Path
        $isHelp = $rel -like 'docs/help/*-*.md'
        $relatedLinks = $false
        $lineNumber = 0
        foreach ($line in $text -split "`n") {
            $lineNumber++
            if ($line -match '^##\s+(.+?)\s*$') { $relatedLinks = $isHelp -and $Matches[1] -eq 'RELATED LINKS' }
            $targets = @([regex]::Matches($line, '!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)') | ForEach-Object { $_.Groups[1].Value })
            $targets += @([regex]::Matches($line, '^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)') | ForEach-Object { $_.Groups[1].Value })
            # <…> autolinks are links too. (A bare host or example URL in prose, such as an authority
            # host in a table, is a value being described, not a link the reader is sent to.)
            $targets += @([regex]::Matches($line, '<((?:https?|mailto):[^>\s]+)>') | ForEach-Object { $_.Groups[1].Value })
            foreach ($target in $targets | Select-Object -Unique) {
                $where = "${rel}:${lineNumber} $target"
                if ($target -match '^[a-zA-Z][a-zA-Z0-9+.-]*:|^www\.|^//') {
                    if (-not ($relatedLinks -and $target -match '^https://')) { "${where}: leaves the repository" }
                    continue
                }
                if ($target.StartsWith('/')) { "${where}: rooted; use a path relative to the file"; continue }
                $pathPart, $fragment = $target -split '#', 2
                $resolved = if ($pathPart) { [IO.Path]::GetFullPath((Join-Path (Split-Path -Parent $Path) ([uri]::UnescapeDataString($pathPart)))) } else { $Path }
                if (-not $resolved.StartsWith($script:root + [IO.Path]::DirectorySeparatorChar) -and $resolved -ne $script:root) { "${where}: points outside the repository"; continue }
                if (-not (Test-Path -LiteralPath $resolved)) { "${where}: no such file"; continue }
                if ($fragment -and (Get-RelativePath $resolved) -in $script:citedDocs -and $fragment -notin (Get-MarkdownAnchor $resolved)) {
                    "${where}: no anchor '$fragment' in $(Get-RelativePath $resolved)"
                }
            }
        }
    }

    # Citations "docs/service-behaviour.md#<anchor>, #<anchor>" (and docs/design.md#<anchor>) in one file whose anchor does not exist.
    function Test-Citation([string] $Path, [hashtable] $Anchors) {
        $rel = Get-RelativePath $Path
        $lineNumber = 0
        foreach ($line in (Get-Content -LiteralPath $Path)) {
            $lineNumber++
            foreach ($m in [regex]::Matches($line, '(?<![\w/.-])(docs/(?:service-behaviour|design)\.md)((?:#[\w-]+)(?:,\s*#[\w-]+)*)')) {
                $doc = $m.Groups[1].Value
                foreach ($anchor in [regex]::Matches($m.Groups[2].Value, '#([\w-]+)') | ForEach-Object { $_.Groups[1].Value }) {
                    if ($anchor -notin $Anchors[$doc]) { "${rel}:${lineNumber} $doc#${anchor}: no such anchor" }
                }
            }
        }
    }

    $script:anchors = @{}
    foreach ($doc in $script:citedDocs) { $script:anchors[$doc] = @(Get-MarkdownAnchor (Join-Path $script:root $doc)) }
}

Describe 'Docs that live in the repository' -Tag 'Docs' {
    It 'has the two documents the code cites' {
        foreach ($doc in $citedDocs) { Join-Path $root $doc | Should -Exist }
    }

    It 'the link check finds a link that leaves, a missing file and a missing anchor (it is not blind)' {
        $probe = Join-Path $root 'docs/_docs-test-probe.md'
        try {
            Set-Content -LiteralPath $probe -Encoding utf8NoBOM -Value @(
                '[out](https://example.com/x) [gone](no-such-file.md) [anchor](design.md#no-such-anchor) [up](../../outside.md)'
                '[good](design.md#secrets) `[code](https://example.com/in-code)` see [service](service-behaviour.md#replication)'
                '```', '[fenced](https://example.com/fenced)', '```'
            )
            $found = @(Test-MarkdownLink $probe)
            $found | Should -HaveCount 4
            ($found -join "`n") | Should -Match 'https://example.com/x: leaves the repository'
            ($found -join "`n") | Should -Match 'no-such-file.md: no such file'
            ($found -join "`n") | Should -Match "no anchor 'no-such-anchor'"
            ($found -join "`n") | Should -Match 'outside.md: points outside the repository'
        }
        finally {
            Remove-Item -LiteralPath $probe -ErrorAction SilentlyContinue
        }
    }

    It 'every markdown link is relative and resolves, anchors into the cited documents included' {
        $bad = @(Get-RepoFile -Extension '.md' | ForEach-Object { Test-MarkdownLink $_.FullName })
        $bad -join "`n" | Should -BeNullOrEmpty
    }

    It 'every docs/service-behaviour.md#… and docs/design.md#… citation names an existing anchor' {
        $bad = @(Get-RepoFile | ForEach-Object { Test-Citation $_.FullName $anchors })
        $bad -join "`n" | Should -BeNullOrEmpty
    }

    It 'the code cites docs/service-behaviour.md (the citations above are not vacuous)' {
        $citing = @(Get-RepoFile -Extension '.cs' | Where-Object { (Get-Content -Raw -LiteralPath $_.FullName) -match 'docs/service-behaviour\.md#' })
        $citing.Count | Should -BeGreaterThan 10
    }

    It 'the anchors fixed for citations all exist in docs/service-behaviour.md, once each' {
        $fixed = 'entra-error-body', 'graph-error-body', 'token-request', 'aadsts-invalid-secret', 'aadsts-expired-secret',
            'aadsts-app-not-found', 'aadsts-tenant-not-found', 'aadsts-scope', 'aadsts-conditional-access', 'aadsts-missing-credential',
            'discovery', 'token-roles', 'create-application', 'filter-applications', 'add-password', 'remove-password', 'service-principal',
            'app-role-assignment', 'users', 'mailbox-settings', 'domains', 'organization', 'send-mail', 'graph-access-denied',
            'graph-user-not-found', 'mailbox-not-enabled', 'send-as-denied', 'invalid-token', 'authorization-denied',
            'unique-name-conflict', 'graph-errors', 'replication', 'exchange-propagation', 'throttling', 'national-clouds',
            'exchange-rbac', 'secret-policy', 'dns'
        $explicit = [regex]::Matches((Get-Content -Raw -LiteralPath (Join-Path $root 'docs/service-behaviour.md')), '<a\s+id="([^"]+)"') |
            ForEach-Object { $_.Groups[1].Value }
        @($fixed | Where-Object { $_ -notin $explicit }) | Should -BeNullOrEmpty
        @($explicit | Group-Object | Where-Object Count -gt 1 | ForEach-Object Name) | Should -BeNullOrEmpty
    }

    It 'every entry of docs/service-behaviour.md names a public source' {
        $text = Get-Content -Raw -LiteralPath (Join-Path $root 'docs/service-behaviour.md')
        # An entry runs from its anchor to the next; the first (the group heading "Entra ID") has none of its own.
        $entries = [regex]::Split($text, '(?m)^<a id="') | Select-Object -Skip 1 | Where-Object { $_ -match '^[\w-]+"></a>\s*\n###' }
        $entries.Count | Should -BeGreaterThan 30
        $unsourced = @($entries | Where-Object { $_ -notmatch 'Source: `(learn\.microsoft\.com|github\.com)/' } | ForEach-Object { ($_ -split '"')[0] })
        $unsourced | Should -BeNullOrEmpty
    }

    It 'nothing cites documents that are not part of the project' {
        # Built from parts so that this file does not match itself.
        $forbidden = @(('wire ' + [char]0xA7), ('ARCHI' + 'TECTURE.md'), ('STYLE' + '.md'), ('field' + ' notes'), ('field' + '-notes'),
            ('../' + 'shared'), ('day2' + '-notes'), ('entra-graph' + '-wire'))
        $bad = foreach ($file in Get-RepoFile) {
            $text = Get-Content -Raw -LiteralPath $file.FullName
            foreach ($s in $forbidden) {
                if ($text.IndexOf($s, [StringComparison]::OrdinalIgnoreCase) -ge 0) { "$(Get-RelativePath $file.FullName): '$s'" }
            }
        }
        @($bad) -join "`n" | Should -BeNullOrEmpty
    }
}
