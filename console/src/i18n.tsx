// English and Arabic: one typed dictionary per language (a missing translation is a type error), the
// language in a React context, and <html lang dir> kept in step with it.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type {
  Channel,
  ConversationPriority,
  ConversationStatus,
  Emotion,
  EscalationType,
  MembershipRole,
  SenderType,
} from './generated/graphql.js';

export type Lang = 'en' | 'ar';

/** The error codes the console explains; others show as UNKNOWN with the server's message. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK'
  | 'UNKNOWN';

export interface Messages {
  appTitle: string;
  /** The name of the other language, on the switch. */
  switchLanguage: string;
  login: {
    title: string;
    subtitle: string;
    email: string;
    password: string;
    submit: string;
    submitting: string;
    failed: string;
    demoHint: string;
    sessionEnded: string;
  };
  header: {
    signedInAs: (name: string) => string;
    logOut: string;
    organization: string;
    appService: string;
    choose: string;
    live: string;
    connecting: string;
    offline: string;
  };
  picker: {
    title: string;
    noOrganizations: string;
    noAppServices: string;
    open: string;
  };
  inbox: {
    title: string;
    empty: string;
    loading: string;
    escalated: string;
    unassigned: string;
    assignedTo: (name: string) => string;
    unknownCustomer: string;
    noMessages: string;
    privateNote: string;
    shown: (shown: number, total: number) => string;
  };
  conversation: {
    placeholder: string;
    loading: string;
    notFound: string;
    customer: string;
    status: string;
    priority: string;
    assignee: string;
    nobody: string;
    you: string;
    takeOver: string;
    resolve: string;
    reopen: string;
    handBack: string;
    reply: string;
    replyPlaceholder: string;
    send: string;
    sending: string;
    privateNote: string;
    privateBadge: string;
    closedHint: string;
    escalations: string;
    noEscalations: string;
    emotionTimeline: string;
    noSentiment: string;
    messages: string;
    earlierHidden: (count: number) => string;
  };
  alerts: {
    title: string;
    empty: string;
    customer: string;
    event: string;
    time: string;
    evidence: string;
    open: string;
    acknowledge: string;
    acknowledged: string;
    dismiss: string;
  };
  analytics: {
    title: string;
    last24h: string;
    sessions: string;
    messages: string;
    escalated: string;
    resolved: string;
    resolutionTime: string;
    firstResponse: string;
    messagesPerHour: string;
    escalationsPerHour: string;
    emotionMix: string;
    averageScore: string;
    noData: string;
    noAccess: string;
    minutes: (value: string) => string;
  };
  errors: Record<ErrorCode, string>;
  statuses: Record<ConversationStatus, string>;
  priorities: Record<ConversationPriority, string>;
  senders: Record<SenderType, string>;
  escalationTypes: Record<EscalationType, string>;
  emotions: Record<Emotion, string>;
  channels: Record<Channel, string>;
  roles: Record<MembershipRole, string>;
}

const en: Messages = {
  appTitle: 'Agent console',
  switchLanguage: 'العربية',
  login: {
    title: 'Sign in to the agent console',
    subtitle: 'Take conversations over from the bot, reply, resolve.',
    email: 'Email',
    password: 'Password',
    submit: 'Sign in',
    submitting: 'Signing in…',
    failed: 'The email or password is incorrect.',
    demoHint: 'Demo: demo@example.com / demo-password-1',
    sessionEnded: 'Your session ended. Please sign in again.',
  },
  header: {
    signedInAs: (name) => `Signed in as ${name}`,
    logOut: 'Sign out',
    organization: 'Organization',
    appService: 'App service',
    choose: 'Choose…',
    live: 'Live',
    connecting: 'Connecting…',
    offline: 'Offline, retrying',
  },
  picker: {
    title: 'Choose an organization and an app service',
    noOrganizations: 'You do not belong to any organization yet.',
    noAppServices: 'This organization has no app services.',
    open: 'Open inbox',
  },
  inbox: {
    title: 'Inbox',
    empty: 'No conversations yet.',
    loading: 'Loading conversations…',
    escalated: 'Escalated',
    unassigned: 'Unassigned',
    assignedTo: (name) => `Assigned to ${name}`,
    unknownCustomer: 'Unknown customer',
    noMessages: 'No messages',
    privateNote: 'Private note',
    shown: (shown, total) => `${shown} of ${total}`,
  },
  conversation: {
    placeholder: 'Pick a conversation from the inbox.',
    loading: 'Loading the conversation…',
    notFound: 'This conversation cannot be found.',
    customer: 'Customer',
    status: 'Status',
    priority: 'Priority',
    assignee: 'Agent',
    nobody: 'Nobody',
    you: 'You',
    takeOver: 'Take over',
    resolve: 'Resolve',
    reopen: 'Reopen',
    handBack: 'Hand back to the bot',
    reply: 'Reply',
    replyPlaceholder: 'Write a reply to the customer…',
    send: 'Send',
    sending: 'Sending…',
    privateNote: 'Private note (not sent to the customer)',
    privateBadge: 'Private',
    closedHint: 'Reopen the conversation to reply.',
    escalations: 'Escalations',
    noEscalations: 'No escalations.',
    emotionTimeline: 'Emotion timeline (7 days)',
    noSentiment: 'No hour of this conversation has been analysed yet.',
    messages: 'Messages',
    earlierHidden: (count) => `${count} earlier messages are not shown.`,
  },
  alerts: {
    title: 'Escalation alerts',
    empty: 'No new escalations. Alerts appear here as they happen.',
    customer: 'Customer',
    event: 'Event',
    time: 'Time',
    evidence: 'Evidence',
    open: 'Open',
    acknowledge: 'Acknowledge',
    acknowledged: 'Acknowledged',
    dismiss: 'Dismiss',
  },
  analytics: {
    title: 'Monitoring',
    last24h: 'Last 24 hours',
    sessions: 'Chat sessions',
    messages: 'Messages',
    escalated: 'Escalated',
    resolved: 'Resolved',
    resolutionTime: 'Avg. resolution',
    firstResponse: 'Avg. first response',
    messagesPerHour: 'Messages per hour',
    escalationsPerHour: 'Escalated conversations per hour',
    emotionMix: 'Customer emotions',
    averageScore: 'Average score',
    noData: 'No data yet.',
    noAccess: 'Monitoring needs analytics access in this organization.',
    minutes: (value) => `${value} min`,
  },
  errors: {
    UNAUTHENTICATED: 'You are not signed in',
    FORBIDDEN: 'You are not allowed to do this',
    BAD_USER_INPUT: 'Please check what you entered',
    NOT_FOUND: 'Not found',
    CONFLICT: 'This cannot be done right now',
    TOO_MANY_SUBSCRIPTIONS: 'Too many live updates on one connection',
    INTERNAL_SERVER_ERROR: 'Something went wrong on the server',
    NETWORK: 'The server cannot be reached',
    UNKNOWN: 'Something went wrong',
  },
  statuses: {
    OPEN: 'Open',
    BOT: 'With the bot',
    ASSIGNED: 'Assigned',
    PENDING: 'Pending',
    RESOLVED: 'Resolved',
    CLOSED: 'Closed',
  },
  priorities: { LOW: 'Low', NORMAL: 'Normal', HIGH: 'High', URGENT: 'Urgent' },
  senders: { CUSTOMER: 'Customer', BOT: 'Bot', AGENT: 'Agent', SYSTEM: 'System' },
  escalationTypes: {
    SPEAK_TO_HUMAN: 'Wants a human',
    DISCOUNT_REQUEST: 'Asks for a discount',
    BOOK_FLIGHT: 'Wants to book',
    FLIGHT_PRICES: 'Asks for prices',
    FILE_SENT: 'Sent a file',
    UNANSWERED: 'The bot could not answer',
  },
  emotions: {
    ANGRY: 'Angry',
    DISAPPOINTED: 'Disappointed',
    NEUTRAL: 'Neutral',
    HAPPY: 'Happy',
    SATISFIED: 'Satisfied',
  },
  channels: {
    WHATSAPP: 'WhatsApp',
    WEB: 'Website',
    SMS: 'SMS',
    EMAIL: 'Email',
    INSTAGRAM: 'Instagram',
    MESSENGER: 'Messenger',
    TELEGRAM: 'Telegram',
    OTHER: 'Other',
  },
  roles: { OWNER: 'Owner', ADMIN: 'Admin', AGENT: 'Agent', ANALYST: 'Analyst' },
};

const ar: Messages = {
  appTitle: 'لوحة الموظفين',
  switchLanguage: 'English',
  login: {
    title: 'تسجيل الدخول إلى لوحة الموظفين',
    subtitle: 'تولَّ المحادثات من الروبوت، وردّ على العملاء، وأغلق الطلبات.',
    email: 'البريد الإلكتروني',
    password: 'كلمة المرور',
    submit: 'تسجيل الدخول',
    submitting: 'جارٍ تسجيل الدخول…',
    failed: 'البريد الإلكتروني أو كلمة المرور غير صحيحة.',
    demoHint: 'تجربة: demo@example.com / demo-password-1',
    sessionEnded: 'انتهت جلستك. يرجى تسجيل الدخول مرة أخرى.',
  },
  header: {
    signedInAs: (name) => `مسجّل الدخول باسم ${name}`,
    logOut: 'تسجيل الخروج',
    organization: 'المؤسسة',
    appService: 'خدمة التطبيق',
    choose: 'اختر…',
    live: 'مباشر',
    connecting: 'جارٍ الاتصال…',
    offline: 'غير متصل، تجري إعادة المحاولة',
  },
  picker: {
    title: 'اختر مؤسسة وخدمة تطبيق',
    noOrganizations: 'لست عضوًا في أي مؤسسة بعد.',
    noAppServices: 'لا توجد خدمات تطبيق في هذه المؤسسة.',
    open: 'فتح صندوق الوارد',
  },
  inbox: {
    title: 'صندوق الوارد',
    empty: 'لا توجد محادثات بعد.',
    loading: 'جارٍ تحميل المحادثات…',
    escalated: 'مُصعَّدة',
    unassigned: 'غير مسندة',
    assignedTo: (name) => `مسندة إلى ${name}`,
    unknownCustomer: 'عميل غير معروف',
    noMessages: 'لا توجد رسائل',
    privateNote: 'ملاحظة خاصة',
    shown: (shown, total) => `${shown} من ${total}`,
  },
  conversation: {
    placeholder: 'اختر محادثة من صندوق الوارد.',
    loading: 'جارٍ تحميل المحادثة…',
    notFound: 'تعذّر العثور على هذه المحادثة.',
    customer: 'العميل',
    status: 'الحالة',
    priority: 'الأولوية',
    assignee: 'الموظف',
    nobody: 'لا أحد',
    you: 'أنت',
    takeOver: 'تولَّ المحادثة',
    resolve: 'تم الحل',
    reopen: 'إعادة الفتح',
    handBack: 'إعادة المحادثة إلى الروبوت',
    reply: 'الرد',
    replyPlaceholder: 'اكتب ردًّا إلى العميل…',
    send: 'إرسال',
    sending: 'جارٍ الإرسال…',
    privateNote: 'ملاحظة خاصة (لا تُرسل إلى العميل)',
    privateBadge: 'خاصة',
    closedHint: 'أعد فتح المحادثة للرد.',
    escalations: 'التصعيدات',
    noEscalations: 'لا توجد تصعيدات.',
    emotionTimeline: 'الخط الزمني للمشاعر (7 أيام)',
    noSentiment: 'لم تُحلَّل أي ساعة من هذه المحادثة بعد.',
    messages: 'الرسائل',
    earlierHidden: (count) => `لا تظهر ${count} رسائل سابقة.`,
  },
  alerts: {
    title: 'تنبيهات التصعيد',
    empty: 'لا توجد تصعيدات جديدة. تظهر التنبيهات هنا فور حدوثها.',
    customer: 'العميل',
    event: 'الحدث',
    time: 'الوقت',
    evidence: 'الدليل',
    open: 'فتح',
    acknowledge: 'تأكيد الاستلام',
    acknowledged: 'تم تأكيد الاستلام',
    dismiss: 'إخفاء',
  },
  analytics: {
    title: 'المراقبة',
    last24h: 'آخر 24 ساعة',
    sessions: 'جلسات المحادثة',
    messages: 'الرسائل',
    escalated: 'مُصعَّدة',
    resolved: 'تم حلها',
    resolutionTime: 'متوسط وقت الحل',
    firstResponse: 'متوسط أول رد',
    messagesPerHour: 'الرسائل في الساعة',
    escalationsPerHour: 'المحادثات المُصعَّدة في الساعة',
    emotionMix: 'مشاعر العملاء',
    averageScore: 'متوسط الدرجة',
    noData: 'لا توجد بيانات بعد.',
    noAccess: 'تتطلب المراقبة صلاحية التحليلات في هذه المؤسسة.',
    minutes: (value) => `${value} دقيقة`,
  },
  errors: {
    UNAUTHENTICATED: 'لم تسجّل الدخول',
    FORBIDDEN: 'غير مسموح لك بهذا الإجراء',
    BAD_USER_INPUT: 'يرجى التحقق مما أدخلته',
    NOT_FOUND: 'غير موجود',
    CONFLICT: 'لا يمكن تنفيذ هذا الآن',
    TOO_MANY_SUBSCRIPTIONS: 'عدد كبير جدًّا من التحديثات المباشرة على اتصال واحد',
    INTERNAL_SERVER_ERROR: 'حدث خطأ في الخادم',
    NETWORK: 'تعذّر الوصول إلى الخادم',
    UNKNOWN: 'حدث خطأ ما',
  },
  statuses: {
    OPEN: 'مفتوحة',
    BOT: 'مع الروبوت',
    ASSIGNED: 'مسندة',
    PENDING: 'قيد الانتظار',
    RESOLVED: 'تم حلها',
    CLOSED: 'مغلقة',
  },
  priorities: { LOW: 'منخفضة', NORMAL: 'عادية', HIGH: 'عالية', URGENT: 'عاجلة' },
  senders: { CUSTOMER: 'العميل', BOT: 'الروبوت', AGENT: 'الموظف', SYSTEM: 'النظام' },
  escalationTypes: {
    SPEAK_TO_HUMAN: 'يريد التحدث إلى شخص',
    DISCOUNT_REQUEST: 'يطلب خصمًا',
    BOOK_FLIGHT: 'يريد الحجز',
    FLIGHT_PRICES: 'يسأل عن الأسعار',
    FILE_SENT: 'أرسل ملفًا',
    UNANSWERED: 'لم يتمكن الروبوت من الإجابة',
  },
  emotions: {
    ANGRY: 'غاضب',
    DISAPPOINTED: 'محبط',
    NEUTRAL: 'محايد',
    HAPPY: 'سعيد',
    SATISFIED: 'راضٍ',
  },
  channels: {
    WHATSAPP: 'واتساب',
    WEB: 'الموقع الإلكتروني',
    SMS: 'رسائل SMS',
    EMAIL: 'البريد الإلكتروني',
    INSTAGRAM: 'إنستغرام',
    MESSENGER: 'ماسنجر',
    TELEGRAM: 'تيليغرام',
    OTHER: 'أخرى',
  },
  roles: { OWNER: 'المالك', ADMIN: 'مسؤول', AGENT: 'موظف', ANALYST: 'محلل' },
};

export const dictionaries: Record<Lang, Messages> = { en, ar };

const STORAGE_KEY = 'console.lang';

function initialLang(): Lang {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'ar') return stored;
  return navigator.language.toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

interface I18n {
  lang: Lang;
  t: Messages;
  setLang(lang: Lang): void;
  /** Dates and times in the language (Latin digits, like the phone numbers next to them). */
  formatTime(iso: string): string;
  formatNumber(value: number, digits?: number): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    const html = document.documentElement;
    html.lang = lang;
    html.dir = lang === 'ar' ? 'rtl' : 'ltr';
    document.title = dictionaries[lang].appTitle;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'ar' ? 'ar-u-nu-latn' : 'en-GB';
    const time = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    return {
      lang,
      t: dictionaries[lang],
      setLang: (next) => {
        localStorage.setItem(STORAGE_KEY, next);
        setLangState(next);
      },
      formatTime: (iso) => time.format(new Date(iso)),
      formatNumber: (value, digits = 0) =>
        new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value),
    };
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside <I18nProvider>');
  return value;
}

export function LanguageSwitch() {
  const { lang, t, setLang } = useI18n();
  const other: Lang = lang === 'ar' ? 'en' : 'ar';
  return (
    <button
      type="button"
      className="button button--ghost"
      data-testid="lang-switch"
      lang={other}
      onClick={() => setLang(other)}
    >
      {t.switchLanguage}
    </button>
  );
}
