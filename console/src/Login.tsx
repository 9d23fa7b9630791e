import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ErrorBanner } from './errors.js';
import { ConsoleLogInDocument } from './generated/graphql.js';
import { LanguageSwitch, useI18n } from './i18n.js';

export function Login({ onLoggedIn, notice }: { onLoggedIn: (token: string) => void; notice?: string }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [result, logIn] = useMutation(ConsoleLogInDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { data } = await logIn({ email: email.trim(), password });
    if (data) onLoggedIn(data.logIn.token);
  };

  return (
    <main className="login">
      <div className="login__lang">
        <LanguageSwitch />
      </div>
      <form className="card login__card" onSubmit={(event) => void submit(event)} data-testid="login-form">
        <h1 className="login__title">{t.login.title}</h1>
        <p className="muted">{t.login.subtitle}</p>
        {notice && (
          <p className="notice" data-testid="login-notice">
            {notice}
          </p>
        )}
        <label className="field">
          <span className="field__label">{t.login.email}</span>
          <input
            className="input"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            data-testid="login-email"
          />
        </label>
        <label className="field">
          <span className="field__label">{t.login.password}</span>
          <input
            className="input"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            data-testid="login-password"
          />
        </label>
        <ErrorBanner error={result.error} overrides={{ UNAUTHENTICATED: t.login.failed }} />
        <button
          className="button button--primary"
          type="submit"
          disabled={result.fetching}
          data-testid="login-submit"
        >
          {result.fetching ? t.login.submitting : t.login.submit}
        </button>
        <p className="muted login__hint">{t.login.demoHint}</p>
      </form>
    </main>
  );
}
