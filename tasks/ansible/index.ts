// Ansible's modules skiff runs, one file each (named in tasks/ansible/names.ts, with the ones it does not).
import type { TaskType } from '../../src/engine/task-type.ts';
import { assertType, failType } from './assert.ts';
import { commandType, shellType } from './command.ts';
import { copy } from './copy.ts';
import { debugType } from './debug.ts';
import { setFact } from './facts.ts';
import { fileType } from './file.ts';
import { lineinfile } from './lineinfile.ts';
import { stat } from './stat.ts';
import { apt, dnf, packageType, yum } from './packages.ts';
import { service, systemd, systemdService } from './service.ts';
import { getUrl } from './get-url.ts';
import { uri } from './uri.ts';
import { waitFor } from './wait-for.ts';
import { blockinfile } from './blockinfile.ts';
import { iniFile } from './ini-file.ts';
import { group, user } from './users.ts';
import { unarchive } from './unarchive.ts';
import { template } from './template.ts';
import { aptKey } from './apt-key.ts';
import { rpmKey } from './rpm-key.ts';
import { dockerContainer, podmanContainer } from './docker-container.ts';
import { ping } from './ping.ts';
import { pause } from './pause.ts';
import { tempfile } from './tempfile.ts';
import { getent } from './getent.ts';

export const ANSIBLE_TYPES = [setFact, assertType, failType, debugType, stat, copy, lineinfile, fileType, commandType, shellType, template, apt, packageType, yum, dnf, systemd, systemdService, service, getUrl, uri, waitFor, blockinfile, iniFile, user, group, unarchive, aptKey, rpmKey, dockerContainer, podmanContainer, ping, pause, tempfile, getent] as TaskType[];
