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
  SlaAlertKind,
  SlaTarget,
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
    allAppServices: string;
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
  /** The console's shell (E): navigation, inbox filters, the escalations queue, the team lead view. */
  nav: { label: string; inbox: string; team: string; backToInbox: string };
  filters: {
    search: string;
    searchPlaceholder: string;
    show: string;
    views: { all: string; mine: string; unassigned: string; escalated: string };
    anyStatus: string;
    anyPriority: string;
    label: string;
    clear: string;
    noMatch: string;
    loadMore: string;
  };
  exports: {
    button: string;
    working: string;
    done: (rows: number) => string;
    failed: string;
    searchLeftOut: string;
  };
  queue: {
    soundOn: string;
    soundOff: string;
    enableNotifications: string;
    notificationsBlocked: string;
    announce: (type: string, customer: string) => string;
    more: (count: number) => string;
  };
  team: {
    title: string;
    agents: string;
    agent: string;
    availability: string;
    available: string;
    away: string;
    availableCount: (available: number, total: number) => string;
    load: string;
    loadOf: (active: string, max: string) => string;
    sla: string;
    target: string;
    withinTarget: string;
    breaches: string;
    slaAlerts: string;
    noSlaAlerts: string;
    due: (time: string) => string;
    targets: Record<SlaTarget, string>;
    kinds: Record<SlaAlertKind, string>;
  };
  errors: Record<ErrorCode, string>;
  statuses: Record<ConversationStatus, string>;
  priorities: Record<ConversationPriority, string>;
  senders: Record<SenderType, string>;
  escalationTypes: Record<EscalationType, string>;
  emotions: Record<Emotion, string>;
  channels: Record<Channel, string>;
  roles: Record<MembershipRole, string>;
  /** The conversation view's tools: assign/transfer, availability, labels, replies, the customer. */
  work: {
    availability: string;
    available: string;
    away: string;
    noAgentProfile: string;
    assignTitle: string;
    target: string;
    agents: string;
    teams: string;
    agentOption: (name: string, available: boolean, load: number, max: number) => string;
    assign: string;
    transfer: string;
    transferNote: string;
    team: string;
    heldBy: (name: string) => string;
    assignToMe: string;
    askToTransfer: (name: string) => string;
    labels: string;
    noLabels: string;
    newLabel: string;
    addLabel: string;
    removeLabel: (label: string) => string;
    choosePriority: string;
    privateNoteWarning: string;
    notePlaceholder: string;
    counter: (length: string, limit: string) => string;
    tooLong: (limit: string, channel: string) => string;
    cannedHint: string;
    cannedTitle: string;
    noCanned: string;
    contactTitle: string;
    identifiers: string;
    noIdentifiers: string;
    conversations: (count: number) => string;
    thisConversation: string;
    messageCount: (count: number) => string;
  };
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
    allAppServices: 'All app services',
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
  nav: { label: 'Views', inbox: 'Inbox', team: 'Team', backToInbox: 'Back to the inbox' },
  filters: {
    search: 'Search conversations',
    searchPlaceholder: 'Search messages, names, numbers…',
    show: 'Show',
    views: { all: 'All', mine: 'Mine', unassigned: 'Unassigned', escalated: 'Escalated' },
    anyStatus: 'Any status',
    anyPriority: 'Any priority',
    label: 'Label',
    clear: 'Clear filters',
    noMatch: 'No conversation matches.',
    loadMore: 'Load more',
  },
  exports: {
    button: 'Export CSV',
    working: 'Preparing the CSV…',
    done: (rows) => `Downloaded: ${rows} ${rows === 1 ? 'conversation' : 'conversations'}.`,
    failed: 'The export failed; try again.',
    searchLeftOut: 'The export takes the filters and the app service, not the search text.',
  },
  queue: {
    soundOn: 'Sound on',
    soundOff: 'Sound off',
    enableNotifications: 'Desktop notifications',
    notificationsBlocked: 'Desktop notifications are blocked in this browser.',
    announce: (type, customer) => `New escalation: ${type}, ${customer}`,
    more: (count) => `${count} more unacknowledged.`,
  },
  team: {
    title: 'Team',
    agents: 'Agents',
    agent: 'Agent',
    availability: 'Availability',
    available: 'Available',
    away: 'Away',
    availableCount: (available, total) => `${available} of ${total} available`,
    load: 'Load',
    loadOf: (active, max) => `${active} of ${max}`,
    sla: 'SLA',
    target: 'Target',
    withinTarget: 'Within target',
    breaches: 'Breaches',
    slaAlerts: 'Warnings and breaches (24 hours)',
    noSlaAlerts: 'None in the last 24 hours.',
    due: (time) => `due ${time}`,
    targets: { FIRST_RESPONSE: 'First response', NEXT_RESPONSE: 'Next response', RESOLUTION: 'Resolution' },
    kinds: { WARNING: 'Warning', BREACH: 'Breach' },
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
  work: {
    availability: 'My availability',
    available: 'Available',
    away: 'Away',
    noAgentProfile: 'You have no agent profile here.',
    assignTitle: 'Assign or transfer',
    target: 'Agent or team',
    agents: 'Agents',
    teams: 'Teams',
    agentOption: (name, available, load, max) =>
      `${name} · ${available ? 'available' : 'away'} · ${load}/${max}`,
    assign: 'Assign',
    transfer: 'Transfer',
    transferNote: 'Note for the colleague (optional)',
    team: 'Team',
    heldBy: (name) => `${name} holds this conversation.`,
    assignToMe: 'Assign to me',
    askToTransfer: (name) =>
      `Only an admin or the owner can take it from ${name}: ask them, or ${name}, to transfer it to you.`,
    labels: 'Labels',
    noLabels: 'No labels',
    newLabel: 'New label',
    addLabel: 'Add',
    removeLabel: (label) => `Remove the label ${label}`,
    choosePriority: 'Change the priority',
    privateNoteWarning: 'Private note — the customer will not see this',
    notePlaceholder: 'Write a note for your colleagues…',
    counter: (length, limit) => `${length} / ${limit}`,
    tooLong: (limit, channel) => `Too long for ${channel}: at most ${limit} characters.`,
    cannedHint: 'Type / at the start for saved replies.',
    cannedTitle: 'Saved replies',
    noCanned: 'No saved reply matches.',
    contactTitle: 'Customer',
    identifiers: 'Identifiers',
    noIdentifiers: 'No identifiers.',
    conversations: (count) => `Conversations (${count})`,
    thisConversation: 'this one',
    messageCount: (count) => (count === 1 ? '1 message' : `${count} messages`),
  },
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
    allAppServices: 'كل خدمات التطبيق',
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
  nav: { label: 'العروض', inbox: 'صندوق الوارد', team: 'الفريق', backToInbox: 'العودة إلى صندوق الوارد' },
  filters: {
    search: 'البحث في المحادثات',
    searchPlaceholder: 'ابحث في الرسائل والأسماء والأرقام…',
    show: 'عرض',
    views: { all: 'الكل', mine: 'محادثاتي', unassigned: 'غير مسندة', escalated: 'مُصعَّدة' },
    anyStatus: 'كل الحالات',
    anyPriority: 'كل الأولويات',
    label: 'التصنيف',
    clear: 'مسح عوامل التصفية',
    noMatch: 'لا توجد محادثة مطابقة.',
    loadMore: 'تحميل المزيد',
  },
  exports: {
    button: 'تصدير CSV',
    working: 'جارٍ تجهيز الملف…',
    done: (rows) => `تم التنزيل: ${rows} محادثة.`,
    failed: 'تعذّر التصدير؛ حاول مرة أخرى.',
    searchLeftOut: 'يشمل التصدير عوامل التصفية وخدمة التطبيق، لا نص البحث.',
  },
  queue: {
    soundOn: 'الصوت مفعّل',
    soundOff: 'الصوت متوقف',
    enableNotifications: 'إشعارات سطح المكتب',
    notificationsBlocked: 'إشعارات سطح المكتب محظورة في هذا المتصفح.',
    announce: (type, customer) => `تصعيد جديد: ${type}، ${customer}`,
    more: (count) => `${count} تصعيدات أخرى لم يُؤكَّد استلامها.`,
  },
  team: {
    title: 'الفريق',
    agents: 'الموظفون',
    agent: 'الموظف',
    availability: 'التوفر',
    available: 'متاح',
    away: 'غير متاح',
    availableCount: (available, total) => `${available} من ${total} متاحون`,
    load: 'عبء العمل',
    loadOf: (active, max) => `${active} من ${max}`,
    sla: 'اتفاقية مستوى الخدمة',
    target: 'الهدف',
    withinTarget: 'ضمن الهدف',
    breaches: 'الانتهاكات',
    slaAlerts: 'التحذيرات والانتهاكات (24 ساعة)',
    noSlaAlerts: 'لا شيء في آخر 24 ساعة.',
    due: (time) => `الموعد ${time}`,
    targets: { FIRST_RESPONSE: 'أول رد', NEXT_RESPONSE: 'الرد التالي', RESOLUTION: 'الحل' },
    kinds: { WARNING: 'تحذير', BREACH: 'انتهاك' },
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
  work: {
    availability: 'حالتي',
    available: 'متاح',
    away: 'غير متاح',
    noAgentProfile: 'ليس لديك ملف موظف هنا.',
    assignTitle: 'الإسناد أو التحويل',
    target: 'موظف أو فريق',
    agents: 'الموظفون',
    teams: 'الفرق',
    agentOption: (name, available, load, max) =>
      `${name} · ${available ? 'متاح' : 'غير متاح'} · ${load}/${max}`,
    assign: 'إسناد',
    transfer: 'تحويل',
    transferNote: 'ملاحظة للزميل (اختيارية)',
    team: 'الفريق',
    heldBy: (name) => `المحادثة مع ${name}.`,
    assignToMe: 'أسندها إليّ',
    askToTransfer: (name) =>
      `لا يستطيع أخذها من ${name} إلا مسؤول أو المالك: اطلب منهم، أو من ${name}، تحويلها إليك.`,
    labels: 'التصنيفات',
    noLabels: 'لا توجد تصنيفات',
    newLabel: 'تصنيف جديد',
    addLabel: 'إضافة',
    removeLabel: (label) => `إزالة التصنيف ${label}`,
    choosePriority: 'تغيير الأولوية',
    privateNoteWarning: 'ملاحظة خاصة — لن يراها العميل',
    notePlaceholder: 'اكتب ملاحظة لزملائك…',
    counter: (length, limit) => `${length} / ${limit}`,
    tooLong: (limit, channel) => `طويلة جدًّا لـ${channel}: ${limit} حرفًا على الأكثر.`,
    cannedHint: 'اكتب / في البداية للردود المحفوظة.',
    cannedTitle: 'الردود المحفوظة',
    noCanned: 'لا يوجد رد محفوظ مطابق.',
    contactTitle: 'العميل',
    identifiers: 'المعرّفات',
    noIdentifiers: 'لا توجد معرّفات.',
    conversations: (count) => `المحادثات (${count})`,
    thisConversation: 'هذه المحادثة',
    messageCount: (count) => `${count} رسالة`,
  },
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
    // document.title is the app's (App.tsx): the name with the unread escalations count.
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
