/**
 * Settings: the site's Jira connection (tested on request), how its mail leaves (each value
 * with where it comes from, its own relay and identity, a test send) and its webhook
 * secret (rotated, with the steps to enter it in Jira), and its own addresses. One
 * component per concept, under `settings/`.
 */
import { PageHeader } from '../components/PageHeader';
import { JiraConnection } from './settings/JiraConnection';
import { OutboundMail } from './settings/OutboundMail';
import { WebhookSecret } from './settings/WebhookSecret';
import { OwnAddresses } from './settings/OwnAddresses';

export function Settings() {
  return (
    <>
      <PageHeader title="Settings" />
      <JiraConnection />
      <OutboundMail />
      <WebhookSecret />
      <OwnAddresses />
    </>
  );
}
