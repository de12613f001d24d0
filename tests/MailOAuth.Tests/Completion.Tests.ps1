# Tab completion of -DisplayName and -ClientId (Get-MailOAuthApp, Remove-MailOAuthApp, Grant-MailSendConsent)
# from the apps MailOAuth manages in the connected tenant: nothing (and no request) when not connected, one
# directory lookup per connection reused by the next Tabs, and never more than about two seconds at the prompt.

Describe 'Tab completion of managed apps' -Tag 'Completion' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        $script:name = "Complete $([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $script:app = New-MailOAuthApp -DisplayName $name -SenderAddress $info.mailboxes.licensed
        Disconnect-MailOAuth

        function script:Complete([string] $Line) {
            @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
        }
        function script:AppListings {
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'directory' -and $_.method -eq 'GET' -and $_.path -match '/applications$' })
        }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox }

    It 'offers nothing and sends nothing when not connected' {
        Disconnect-MailOAuth
        Complete 'Get-MailOAuthApp -DisplayName Complete' | Where-Object CompletionText -Match 'Complete' | Should -BeNullOrEmpty
        Complete 'Remove-MailOAuthApp -ClientId ' | Where-Object CompletionText -EQ $app.ClientId | Should -BeNullOrEmpty
        AppListings | Should -BeNullOrEmpty
    }

    It 'completes -DisplayName (quoted) and -ClientId of the three cmdlets from the managed apps of the connection' {
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        $byName = Complete "Get-MailOAuthApp -DisplayName '$($name.Substring(0, 12))"
        $byName.CompletionText | Should -Contain "'$name'"
        $byName.ListItemText | Should -Contain $name
        $byName | Where-Object CompletionText -NotMatch '^''Complete' | Should -BeNullOrEmpty -Because 'only names with the typed prefix'
        $prefix = $app.ClientId.Substring(0, 8)
        foreach ($command in 'Get-MailOAuthApp -ClientId', 'Remove-MailOAuthApp -ClientId', 'Grant-MailSendConsent -ClientId') {
            (Complete "$command $prefix").CompletionText | Should -Be @($app.ClientId) -Because $command
        }
        # A typed name completes -ClientId to its app's client ID.
        (Complete "Grant-MailSendConsent -ClientId $($name.Substring(0, 8))").CompletionText | Should -Contain $app.ClientId
        # The completed text runs.
        (Get-MailOAuthApp -DisplayName $name).ClientId | Should -Be $app.ClientId
    }

    It 'looks the apps up once per connection: the next Tabs reuse it, a new connection looks again' {
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        Reset-MailOAuthSandbox -Sandbox $sandbox
        (Complete 'Get-MailOAuthApp -DisplayName Comp').ListItemText | Should -Contain $name
        (Complete 'Remove-MailOAuthApp -ClientId ').CompletionText | Should -Contain $app.ClientId
        (Complete 'Grant-MailSendConsent -ClientId ').CompletionText | Should -Contain $app.ClientId
        @(AppListings).Count | Should -Be 1
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        (Complete 'Get-MailOAuthApp -ClientId ').CompletionText | Should -Contain $app.ClientId
        @(AppListings).Count | Should -Be 2
    }

    It 'never holds the prompt for long: a slow directory gives nothing at once, and its answer serves the next Tab' {
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = '^/v1\.0/applications$'; method = 'GET'; latencyMs = 6000; count = 1 } | Out-Null
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $first = Complete 'Get-MailOAuthApp -ClientId '
        $watch.Stop()
        $first | Where-Object CompletionText -EQ $app.ClientId | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 4
        # Each Tab itself waits (at most ~2 s) for the lookup still running: Tab again until it has answered, bounded.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        do { $next = Complete 'Get-MailOAuthApp -ClientId ' } until ($next.CompletionText -contains $app.ClientId -or [DateTime]::UtcNow -gt $deadline)
        $next.CompletionText | Should -Contain $app.ClientId
        @(AppListings).Count | Should -Be 1 -Because 'the slow lookup was not started again'
    }
}
