/**
 * Entra ID and Microsoft Graph facts exo-cba relies on whatever the workload (Microsoft's documentation:
 * Entra built-in roles reference; Graph permissions reference).
 */

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** Microsoft Graph Command Line Tools: the default public client; tenants may block it (use --client-id). */
export const DEFAULT_PUBLIC_CLIENT_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';

/** Admin roles that decide what the signed-in admin may do (advice, and the rights check before writing). */
export const GLOBAL_ADMIN_TEMPLATE_ID = '62e90394-69f5-4237-9190-012177145e10';
export const PRIVILEGED_ROLE_ADMIN_TEMPLATE_ID = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
export const APPLICATION_ADMIN_TEMPLATE_ID = '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3';
export const CLOUD_APPLICATION_ADMIN_TEMPLATE_ID = '158c047a-c907-4556-b7ef-446551a6b5f7';

/** Delegated Graph scopes the admin sign-in asks for, and nothing more (least privilege). */
export const ADMIN_SCOPES = {
  /** Register the app and consent its permission; init adds what the workload's rights strategies need. */
  init: [
    'Application.ReadWrite.All',
    'AppRoleAssignment.ReadWrite.All',
    'Organization.Read.All',
    'Policy.Read.All',
  ],
  keys: ['Application.ReadWrite.All', 'Organization.Read.All'],
  remove: ['Application.ReadWrite.All', 'Organization.Read.All'],
} as const;
