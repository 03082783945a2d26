import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '@hostwatch/testkit';

const run = promisify(execFile);

/**
 * A real sshd on 127.0.0.1 logging through a real rsyslogd (foreground, own config) into a temp
 * auth.log, a throwaway user with a known password, and logrotate for that log: the approach of
 * libs/auth-log/test/fixtures/make-real-fixtures.sh. Needs root and a free /dev/log, so only one
 * lab runs at a time on a machine.
 */
export interface SshLab {
  readonly dir: string;
  /** The auth.log rsyslogd writes (RFC 3339 timestamps, rsyslog's default on Debian). */
  readonly authLog: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** One ssh connection with one password prompt running `true`; resolves to the exit code and what ssh said. */
  login(user: string, password: string): Promise<{ code: number; stderr: string }>;
  /** Rotates the auth.log with logrotate (`create`, then SIGHUP to rsyslogd). */
  rotate(): Promise<void>;
  /** Lines of the current auth.log. */
  lines(): Promise<string[]>;
  /** Stops sshd and rsyslogd, removes the user and the directory; safe to call twice. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited(child);
  clearTimeout(timer);
}

/** Starts rsyslogd, sshd and creates the user. On failure, stops what started. */
export async function startSshLab(): Promise<SshLab> {
  if (existsSync('/dev/log')) {
    throw new Error(
      '/dev/log exists: another syslog daemon runs here; the ssh lab needs its own rsyslogd on /dev/log',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'hostwatch-e2e-ssh-'));
  const authLog = join(dir, 'auth.log');
  const user = `hwe2e${randomBytes(3).toString('hex')}`;
  const password = `E2e-${randomBytes(6).toString('hex')}`;
  let rsyslogd: ChildProcess | undefined;
  let sshd: ChildProcess | undefined;
  let userMade = false;
  const errors: string[] = [];

  const stop = async (): Promise<void> => {
    await stopChild(sshd);
    await stopChild(rsyslogd);
    sshd = undefined;
    rsyslogd = undefined;
    if (userMade) {
      await run('userdel', ['-r', user]).catch((err: Error) =>
        errors.push(`userdel ${user}: ${err.message}`),
      );
      userMade = false;
    }
    await rm('/dev/log', { force: true });
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await mkdir(join(dir, 'rsyslog'), { recursive: true });
    await mkdir('/run/sshd', { recursive: true });
    await writeFile(
      join(dir, 'rsyslog.conf'),
      [
        `global(workDirectory="${dir}/rsyslog")`,
        'module(load="imuxsock")',
        `auth,authpriv.* action(type="omfile" file="${authLog}" template="RSYSLOG_FileFormat")`,
        '',
      ].join('\n'),
    );
    await writeFile(authLog, '');
    rsyslogd = spawn('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslog.pid')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    rsyslogd.stderr!.on('data', (d: Buffer) => errors.push(`rsyslogd: ${d.toString()}`));
    await waitFor('rsyslogd to listen on /dev/log', () => (existsSync('/dev/log') ? true : undefined), {
      timeoutMs: 10_000,
    });
    await waitFor(
      'rsyslogd to write its pid file',
      () => (existsSync(join(dir, 'rsyslog.pid')) ? true : undefined),
      {
        timeoutMs: 10_000,
      },
    );

    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
    const port = await freePort();
    await writeFile(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${dir}/host_ed25519`,
        `PidFile ${dir}/sshd.pid`,
        'UsePAM yes',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication no',
        'PermitRootLogin no',
        'MaxAuthTries 3',
        'LogLevel VERBOSE',
        'SyslogFacility AUTH',
        '',
      ].join('\n'),
    );
    sshd = spawn('/usr/sbin/sshd', ['-D', '-f', join(dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    sshd.stderr!.on('data', (d: Buffer) => errors.push(`sshd: ${d.toString()}`));
    // sshd writes its pid file once it listens; a TCP probe would log a session of its own.
    await waitFor(
      `sshd to listen on 127.0.0.1:${port}`,
      () => {
        if (sshd?.exitCode !== null) throw new Error(`sshd exited: ${errors.join('')}`);
        return existsSync(join(dir, 'sshd.pid')) ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );

    await run('useradd', ['-m', '-s', '/bin/sh', user]);
    userMade = true;
    await new Promise<void>((resolve, reject) => {
      const chpasswd = spawn('chpasswd', [], { stdio: ['pipe', 'ignore', 'inherit'] });
      chpasswd.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`chpasswd exited ${code}`)),
      );
      chpasswd.stdin!.end(`${user}:${password}\n`);
    });

    const logrotateConf = join(dir, 'logrotate.conf');
    await writeFile(
      logrotateConf,
      [
        `${authLog} {`,
        '  rotate 5',
        '  create 0640 root root',
        '  missingok',
        '  nocompress',
        '  sharedscripts',
        '  postrotate',
        `    kill -HUP $(cat ${dir}/rsyslog.pid)`,
        '  endscript',
        '}',
        '',
      ].join('\n'),
    );

    const sshOptions = [
      '-p',
      String(port),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'PubkeyAuthentication=no',
      '-o',
      'PreferredAuthentications=password',
      '-o',
      'NumberOfPasswordPrompts=1',
      '-o',
      'ConnectTimeout=10',
    ];
    return {
      dir,
      authLog,
      port,
      user,
      password,
      login: (who, secret) =>
        new Promise((resolve) => {
          const ssh = spawn('sshpass', ['-p', secret, 'ssh', ...sshOptions, `${who}@127.0.0.1`, 'true'], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          ssh.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
          ssh.once('exit', (code) => resolve({ code: code ?? -1, stderr }));
        }),
      rotate: async () => {
        await run('logrotate', ['-f', '-s', join(dir, 'logrotate.state'), logrotateConf]);
        await waitFor('the new auth.log', () => (existsSync(authLog) ? true : undefined), {
          timeoutMs: 10_000,
        });
      },
      lines: async () => (await readFile(authLog, 'utf8')).split('\n').filter(Boolean),
      stop,
    };
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${errors.join('')}`, { cause: err });
  }
}
