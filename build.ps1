#requires -Version 7.2
<#
.SYNOPSIS
    The one front door: build, test, demo, bench.
.DESCRIPTION
    Build (default)  builds and lays out the importable module at out/MailOAuth/MailOAuth.psd1
                     (stamped manifest, format file, MAML help, dependencies) and the sandbox at out/Sandbox.
    Test             builds, runs xunit, then Pester in a child pwsh against the built module, and ends
                     with one line "Tests: N passed, N failed, N skipped" (exit 1 on any failure).
    Demo             starts the sandbox and runs the onboarding against it, then shows the delivered message.
    Bench            prints import time and requests/time for a test send, an onboarding and a secret rotation against the sandbox.
    Package          builds, then packs out/MailOAuth.<version>.nupkg (gallery, private feed or folder
                     repository: Install-PSResource / Install-Module) and out/MailOAuth.zip (Azure
                     Automation: the MailOAuth/ folder at the zip's root). Needs PowerShell 7.4+ (the
                     repository's `dotnet pwsh` is): it packs with PSResourceGet.
    Sandbox          builds if needed, starts the sandbox in the background and prints the lines to paste
                     into pwsh to rehearse against it (docs/sandbox.md).
    SandboxStop      stops the sandbox -Task Sandbox started.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package', 'Sandbox', 'SandboxStop')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester tag filter, e.g. -PesterTag Send
    [string[]] $PesterTag
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'MailOAuth'
$sandboxOut = Join-Path $out 'Sandbox'
# Where -Task Sandbox keeps the running sandbox's start-up line, PID and state.
$sandboxRun = Join-Path $out 'sandbox-run'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))
    $props.Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1
}

function Invoke-Build {
    Write-Host "Building MailOAuth ($Configuration)…"
    if (Test-Path $moduleOut) { Remove-Item -Recurse -Force $moduleOut }
    Invoke-Dotnet publish (Join-Path $root 'src/MailOAuth/MailOAuth.csproj') -c $Configuration -o $moduleOut --nologo -v quiet
    Invoke-Dotnet build (Join-Path $root 'src/MailOAuth.Sandbox/MailOAuth.Sandbox.csproj') -c $Configuration -o $sandboxOut --nologo -v quiet

    # Manifest: stamped with the version from Directory.Build.props.
    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw (Join-Path $root 'MailOAuth.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $moduleOut 'MailOAuth.psd1') -Value $manifest -Encoding utf8NoBOM
    Copy-Item (Join-Path $root 'src/MailOAuth/MailOAuth.Format.ps1xml') $moduleOut
    Copy-Item (Join-Path $root 'LICENSE') $moduleOut
    Get-ChildItem $moduleOut -Filter '*.pdb' | Remove-Item
    Get-ChildItem $moduleOut -Filter '*.deps.json' | Remove-Item
    Get-ChildItem $moduleOut -Filter '*.xml' | Remove-Item
    # Core and its dependencies go to dependencies/: on PowerShell 7 they load into MailOAuth's own
    # AssemblyLoadContext (src/MailOAuth/Infrastructure/ModuleInitializer.cs), so other modules' copies
    # of Azure.Identity / MSAL / Graph never clash with ours.
    $dependencies = New-Item -ItemType Directory -Path (Join-Path $moduleOut 'dependencies') -Force
    Get-ChildItem $moduleOut -Filter '*.dll' | Where-Object Name -NE 'MailOAuth.dll' | Move-Item -Destination $dependencies

    # Help: MAML generated from the markdown sources in docs/help.
    $helpScript = Join-Path $root 'build/New-MamlHelp.ps1'
    if (Test-Path $helpScript) {
        & $helpScript -SourcePath (Join-Path $root 'docs/help') -OutputPath (Join-Path $moduleOut 'en-US/MailOAuth.dll-Help.xml')
    }
    # The conceptual topic (Get-Help about_MailOAuth) sits beside the cmdlet help.
    New-AboutTopic -OutputPath (Join-Path $moduleOut 'en-US/about_MailOAuth.help.txt')
    Write-Host "Module laid out at $(Join-Path $moduleOut 'MailOAuth.psd1') (version $version)."
}

function New-AboutTopic([string] $OutputPath) {
    # docs/help/about_MailOAuth.help.txt with the README's diagnosis table in place of @DIAGNOSIS_TABLE@:
    # the table lives in one place, and every row added to it reaches Get-Help.
    $readme = Get-Content (Join-Path $root 'README.md')
    $start = [array]::FindIndex($readme, [Predicate[string]] { param($l) $l -match '^## When it fails' })
    if ($start -lt 0) { throw "README.md has no '## When it fails' section for about_MailOAuth." }
    $wrap = {
        param([string] $Text, [string] $Indent, [int] $Width = 92)
        $line = $Indent
        foreach ($word in $Text -split '\s+' | Where-Object { $_ }) {
            if ($line.Length + $word.Length + 1 -gt $Width -and $line.Trim()) { $line.TrimEnd(); $line = $Indent }
            $line += "$word "
        }
        if ($line.Trim()) { $line.TrimEnd() }
    }
    $plain = { param([string] $t) ($t -replace '`', '' -replace '\*', '').Trim() }
    $rows = foreach ($l in $readme[($start + 1)..($readme.Count - 1)]) {
        if ($l -match '^## ') { break }
        if ($l -notmatch '^\|' -or $l -match '^\|\s*-' -or $l -match '^\|\s*code\s*\|') { continue }
        $cells = @($l.Trim().Trim('|') -split '\s*\|\s*')
        if ($cells.Count -lt 3) { continue }
        ''
        & $wrap (& $plain $cells[0]) '    '
        & $wrap ("Evidence: " + (& $plain $cells[1])) '        '
        & $wrap ("Do this: " + (& $plain $cells[2])) '        '
    }
    if (-not $rows) { throw 'README.md''s diagnosis table is empty or unreadable.' }
    $template = Get-Content -Raw (Join-Path $root 'docs/help/about_MailOAuth.help.txt')
    $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $OutputPath)
    Set-Content -LiteralPath $OutputPath -Value $template.Replace('@DIAGNOSIS_TABLE@', ((@($rows) | Select-Object -Skip 1) -join "`n")) -Encoding utf8NoBOM -NoNewline
}

function Get-PesterPath {
    Invoke-Dotnet restore (Join-Path $root 'build/tools.proj') --nologo -v quiet
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $psd1 = Get-ChildItem (Join-Path $packages 'pester') -Directory | Sort-Object { [version]$_.Name } -Descending |
        ForEach-Object { Join-Path $_.FullName 'tools/Pester.psd1' } | Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $psd1) { throw 'Pester was not restored from NuGet (build/tools.proj).' }
    $psd1
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $out 'TestResults'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    New-Item -ItemType Directory -Path $results | Out-Null

    # 1. xunit
    Write-Host 'Running xunit…'
    & dotnet test (Join-Path $root 'tests/MailOAuth.Core.Tests/MailOAuth.Core.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=core.trx' --logger 'console;verbosity=normal' --results-directory $results
    $xunitExit = $LASTEXITCODE
    $x = @{ passed = 0; failed = 0; skipped = 0 }
    $trx = Join-Path $results 'core.trx'
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $x.passed = [int]$counters.passed
        $x.failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $x.skipped = [int]$counters.notExecuted
    }
    elseif ($xunitExit -ne 0) { $x.failed = 1; Write-Host 'xunit did not run (build failure?): counted as one failure.' }

    # 2. Pester, in a child pwsh against the built module.
    Write-Host 'Running Pester…'
    $pester = Get-PesterPath
    $pesterJson = Join-Path $results 'pester.json'
    $childArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build/Invoke-PesterChild.ps1'),
        '-PesterPath', $pester, '-ModulePath', (Join-Path $moduleOut 'MailOAuth.psd1'), '-SandboxPath', (Join-Path $sandboxOut 'MailOAuth.Sandbox.dll'),
        '-TestPath', (Join-Path $root 'tests/MailOAuth.Tests'), '-ResultPath', $pesterJson)
    if ($PesterTag) { $childArgs += @('-Tag', ($PesterTag -join ',')) }
    Push-Location $root
    try { & dotnet pwsh @childArgs } finally { Pop-Location }
    $p = @{ passed = 0; failed = 0; skipped = 0 }
    if (Test-Path $pesterJson) {
        $r = Get-Content -Raw $pesterJson | ConvertFrom-Json
        $p.passed = [int]$r.passed; $p.failed = [int]$r.failed; $p.skipped = [int]$r.skipped
    }
    else { $p.failed = 1; Write-Host 'Pester did not report results: counted as one failure.' }

    $passed = $x.passed + $p.passed; $failed = $x.failed + $p.failed; $skipped = $x.skipped + $p.skipped
    Write-Host "xunit: $($x.passed) passed, $($x.failed) failed, $($x.skipped) skipped; Pester: $($p.passed) passed, $($p.failed) failed, $($p.skipped) skipped"
    Write-Output "Tests: $passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    Push-Location $root
    try { & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'build/Demo.ps1') -ModulePath (Join-Path $moduleOut 'MailOAuth.psd1') -SandboxPath (Join-Path $sandboxOut 'MailOAuth.Sandbox.dll') }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Invoke-Build
    Push-Location $root
    try { & dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $root 'build/Bench.ps1') -ModulePath (Join-Path $moduleOut 'MailOAuth.psd1') -SandboxPath (Join-Path $sandboxOut 'MailOAuth.Sandbox.dll') }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Package {
    Invoke-Build
    $package = & (Join-Path $root 'build/New-ModulePackage.ps1') -ModuleFolder $moduleOut -DestinationPath $out
    Write-Host "Package: $($package.NupkgPath)"
    Write-Host "Azure Automation module: $($package.ZipPath)"
}

function Invoke-Sandbox([switch] $Stop) {
    $modulePsd1 = Join-Path $moduleOut 'MailOAuth.psd1'
    $sandboxDll = Join-Path $sandboxOut 'MailOAuth.Sandbox.dll'
    if (-not $Stop -and -not ((Test-Path $modulePsd1) -and (Test-Path $sandboxDll))) { Invoke-Build }
    & (Join-Path $root 'build/Sandbox.ps1') -ModulePath $modulePsd1 -SandboxPath $sandboxDll -RunDirectory $sandboxRun -Stop:$Stop
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-Package }
    'Sandbox' { Invoke-Sandbox }
    'SandboxStop' { Invoke-Sandbox -Stop }
}
