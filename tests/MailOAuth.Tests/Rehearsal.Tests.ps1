#requires -Version 7.2
<#
    Rehearsal by hand, from the docs alone: start the sandbox with the front door `build.ps1 -Task
    Sandbox` uses (build/Sandbox.ps1), take the lines it prints, then paste exactly the blocks the docs
    mark with `<!-- rehearsal -->` (README.md, docs/sandbox.md) into a fresh pwsh, and check with the
    sandbox what happened: a message delivered by the platform's test, and the diagnoses the guide
    promises for the faults it injects.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath

    # The fenced code block after each `<!-- rehearsal -->` line of a markdown file, verbatim.
    function script:Get-RehearsalBlock([string] $Path) {
        $blocks = [Collections.Generic.List[string]]::new()
        $lines = Get-Content -LiteralPath $Path
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i].Trim() -ne '<!-- rehearsal -->') { continue }
            $open = $i + 1
            while ($open -lt $lines.Count -and -not $lines[$open].Trim()) { $open++ }
            if ($open -ge $lines.Count -or $lines[$open] -notmatch '^```(powershell|pwsh|ps1)\s*$') { throw "$Path line $($i + 1): a rehearsal mark not followed by a powershell block." }
            $close = $open + 1
            while ($close -lt $lines.Count -and $lines[$close] -notmatch '^```\s*$') { $close++ }
            $blocks.Add(($lines[($open + 1)..($close - 1)] -join "`n"))
            $i = $close
        }
        , $blocks.ToArray()
    }

    $script:runDirectory = Join-Path ([IO.Path]::GetTempPath()) "mailoauth-rehearsal-$([guid]::NewGuid().ToString('n'))"
    $frontDoor = Join-Path $repoRoot 'build/Sandbox.ps1'
    $script:stopSandbox = { & $frontDoor -ModulePath $env:MAILOAUTH_MODULE_PATH -SandboxPath $env:MAILOAUTH_SANDBOX_PATH -RunDirectory $runDirectory -Stop 6>$null }
    $script:pasteLines = @(& $frontDoor -ModulePath $env:MAILOAUTH_MODULE_PATH -SandboxPath $env:MAILOAUTH_SANDBOX_PATH -RunDirectory $runDirectory 6>$null)
    $info = Get-Content -Raw (Join-Path $runDirectory 'sandbox.json') | ConvertFrom-Json
    # The test's own view of that sandbox (the SandboxTools helpers), certificate pinned.
    $script:sandbox = [pscustomobject]@{ Info = $info; Http = [MailOAuthSandboxHttp]::Create($info.baseUri, $info.certificateThumbprint) }

    # What a person does: paste the printed lines, then the blocks, into one pwsh session.
    function script:Invoke-Pasted([string[]] $Blocks) {
        $session = (@($pasteLines) + @($Blocks)) -join "`n"
        Invoke-FreshPwsh -Script $session -WorkingDirectory $repoRoot -TimeoutSeconds 300
    }
    function script:Get-PlatformState { Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/platform' }
}

AfterAll {
    if ($sandbox) { $sandbox.Http.Dispose() }
    if ($stopSandbox) { & $stopSandbox }
    Remove-Item -Recurse -Force -LiteralPath $runDirectory -ErrorAction Ignore
}

Describe 'Rehearsal from the docs' -Tag 'Rehearsal', 'Docs' {
    It 'the printed lines are commands and comments only, and need no secret on the screen' {
        $pasteLines.Count | Should -BeGreaterThan 3
        $errors = $null
        $null = [Management.Automation.Language.Parser]::ParseInput(($pasteLines -join "`n"), [ref]$null, [ref]$errors)
        $errors | Should -BeNullOrEmpty
        $text = $pasteLines -join "`n"
        foreach ($secret in $sandbox.Info.admin.clientSecret, $sandbox.Info.platform.apiToken) { $text | Should -Not -Match ([regex]::Escape($secret)) }
        $text | Should -Match 'Add-MailOAuthEnvironment -Name Sandbox .*-TrustedCertificatePath'
        foreach ($variable in 'adminApp', 'adminSecret', 'platform', 'token') { $text | Should -Match "(?m)^\`$$variable = " }
        $text | Should -Match 'SandboxStop'
    }

    It 'docs/sandbox.md shows the printed lines as -Task Sandbox prints them (paths aside)' {
        $guide = Get-Content -Raw (Join-Path $repoRoot 'docs/sandbox.md')
        foreach ($line in $pasteLines) {
            # The guide's copy has example paths, PID; everything else must match word for word.
            $pattern = [regex]::Escape($line)
            $pattern = $pattern -replace "'[^']*?(/out/MailOAuth/MailOAuth\\\.psd1)'", "'[^']*`$1'"
            $pattern = $pattern -replace "'[^']*?(/sandbox\\\.json)'", "'[^']*out/sandbox-run`$1'"
            $pattern = $pattern -replace '-Id\\ \d+', '-Id \d+'
            $guide | Should -Match $pattern
        }
    }

    It 'pasting the printed lines, then the README''s sandbox pipeline, delivers the platform''s test message' {
        $blocks = Get-RehearsalBlock (Join-Path $repoRoot 'README.md')
        $blocks.Count | Should -BeGreaterThan 0
        Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/outbox' | Out-Null
        $run = Invoke-Pasted $blocks
        $run.Error | Should -BeNullOrEmpty -Because 'the README''s lines run as pasted'
        $outbox = @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox)
        $outbox.Count | Should -Be 1
        $outbox[0].subject | Should -Be 'Test email from Reseller Settings'
        $outbox[0].to | Should -Be 'admin@contoso.com'
        (Get-PlatformState).lastTest.delivered | Should -BeTrue
    }

    It 'pasting the printed lines, then every block docs/sandbox.md marks, rehearses, shows the promised diagnoses and delivers' {
        $blocks = Get-RehearsalBlock (Join-Path $repoRoot 'docs/sandbox.md')
        $blocks.Count | Should -BeGreaterOrEqual 4
        ($blocks -join "`n") | Should -Match 'Connect-MailOAuth'
        Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/outbox' | Out-Null
        $run = Invoke-Pasted $blocks
        # The guide's step 3, then its lagged re-run: two deliveries; the injected fault and the mistake: none.
        $outbox = @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox)
        $outbox.Count | Should -Be 2 -Because "stdout:`n$($run.Output)`nstderr:`n$($run.Error)"
        (Get-PlatformState).lastTest.delivered | Should -BeTrue
        # The errors the guide provokes on purpose, and only those.
        $run.Output | Should -Match '(?m)^InvalidClientSecret,'
        $run.Output | Should -Match '(?m)^(PlatformTestFailed|ServiceUnavailable),'
        @([regex]::Matches($run.Error, '(?m)^(Send-ResellerTestEmail|Send-MailOAuthTest):')).Count | Should -Be 2 -Because $run.Error
        $run.Error | Should -Not -Match 'There is no environment named|cannot be retrieved because it has not been set|is not recognized'
        (Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/replication').lagSeconds | Should -Be 5
        Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/reset-directory' | Out-Null
    }

    It '-Stop stops the sandbox the front door started' {
        $recorded = Get-Content -Raw (Join-Path $runDirectory 'sandbox.pid') | ConvertFrom-Json
        & $stopSandbox
        Get-Process -Id $recorded.pid -ErrorAction Ignore | Should -BeNullOrEmpty
        Test-Path (Join-Path $runDirectory 'sandbox.pid') | Should -BeFalse
    }
}
