import { ApiError, check, gql, type GqlError } from './api';
import { field, h, replace } from './dom';
import { t } from './i18n';
import { state } from './state';
import { errorBox } from './ui';

/** Staff sign-in (staffLogin); the token is kept per city host. */
export function staffLogin(main: HTMLElement, heading: string, done: () => void): void {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const otpCode = h('input', { name: 'otpCode', autocomplete: 'one-time-code', inputmode: 'numeric' });
  const otpField = field(t('authenticator'), otpCode);
  otpField.hidden = true;
  const out = h('div', { 'aria-live': 'polite' });
  replace(
    main,
    h('h1', { class: 'page-title' }, heading),
    h(
      'form',
      {
        class: 'card narrow',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          out.replaceChildren();
          try {
            const data = await gql('StaffLogin', {
              username: username.value,
              password: password.value,
              // Sent only when asked for (the argument defaults to "").
              ...(otpCode.value.trim() ? { otpCode: otpCode.value.trim() } : {}),
            });
            const payload = check(data.staffLogin as { token: string; errors: GqlError[] });
            state.setStaff(payload.token, username.value);
            done();
          } catch (error) {
            if (error instanceof ApiError && error.codes.some((c) => c.startsWith('TWO_FACTOR'))) {
              otpField.hidden = false;
              otpCode.focus();
            }
            out.replaceChildren(errorBox(error));
          }
        },
      },
      h('h2', null, t('staffSignIn')),
      field(t('username'), username),
      field(t('password'), password),
      otpField,
      h('button', { type: 'submit', id: 'staff-sign-in' }, t('signIn')),
      out,
    ),
  );
}

export function signOutButton(after: () => void): HTMLButtonElement {
  return h('button', { type: 'button', class: 'secondary', onclick: () => { state.setStaff(null); after(); } }, `${t('signOut')} (${state.staffName ?? ''})`);
}
