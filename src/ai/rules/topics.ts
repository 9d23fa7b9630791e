import { AR, alt, B, rx, test } from './matcher.js';

/** Coarse subjects of a message, for analytics: a few keyword families per topic, in three languages. */

const TOPICS: readonly { topic: string; patterns: readonly RegExp[] }[] = [
  {
    topic: 'flights',
    patterns: [
      rx(
        `${B}${alt(['flights?', 'fly', 'plane', 'airline', 'airport', 'vols?', 'avion', 'aeroport', 'billets? d'])}`,
      ),
      rx(`${AR}${alt(['رحله', 'رحلات', 'طيران', 'طياره', 'مطار', 'تذكره', 'تذاكر'])}`),
    ],
  },
  {
    topic: 'booking',
    patterns: [
      rx(`${B}${alt(['book', 'booking', 'reserv', 'reservation', 'ticket', 'billet'])}`),
      rx(`${AR}(?:حجز|احجز|تحجز)`),
    ],
  },
  {
    topic: 'pricing',
    patterns: [
      rx(`${B}${alt(['price', 'prices', 'cost', 'how much', 'fare', 'prix', 'tarif', 'combien', 'coute'])}`),
      rx(`${AR}${alt(['سعر', 'اسعار', 'بكم', 'قديش', 'تكلفه'])}`),
    ],
  },
  {
    topic: 'discounts',
    patterns: [
      rx(`${B}${alt(['discount', 'promo', 'coupon', 'voucher', 'reduction', 'remise', 'deal'])}`),
      rx(`${AR}${alt(['خصم', 'تخفيض', 'عروض', 'كوبون'])}`),
    ],
  },
  {
    topic: 'baggage',
    patterns: [
      rx(`${B}${alt(['bag', 'bags', 'baggage', 'luggage', 'suitcase', 'bagage', 'valise'])}`),
      rx(`${AR}${alt(['شنط', 'حقيب', 'عفش', 'امتعه'])}`),
    ],
  },
  {
    topic: 'refunds',
    patterns: [
      rx(`${B}${alt(['refund', 'money back', 'rembours'])}`),
      rx(`${AR}${alt(['استرجاع', 'استرداد', 'ترجيع', 'استرجع', 'فلوسي'])}`),
    ],
  },
  {
    topic: 'orders',
    patterns: [
      rx(
        `${B}${alt(['order', 'parcel', 'package', 'delivery', 'delivered', 'shipping', 'tracking', 'commande', 'colis', 'livraison'])}`,
      ),
      rx(`${AR}${alt(['طلبي', 'الطلب', 'طرد', 'شحن', 'توصيل'])}`),
    ],
  },
  {
    topic: 'courses',
    patterns: [
      rx(
        `${B}${alt(['course', 'class', 'lesson', 'school', 'placement test', 'cours', 'formation', 'ecole', 'inscri'])}`,
      ),
      rx(`${AR}${alt(['دوره', 'دورات', 'كورس', 'مدرسه', 'معهد', 'درس', 'دروس'])}`),
    ],
  },
  {
    topic: 'payment',
    patterns: [
      rx(
        `${B}${alt(['pay', 'payment', 'charged', 'card', 'instal?ments?', 'invoice', 'paiement', 'payer', 'facture'])}`,
      ),
      rx(`${AR}${alt(['دفع', 'الدفع', 'تقسيط', 'فاتوره', 'بطاقه'])}`),
    ],
  },
  {
    topic: 'opening_hours',
    patterns: [
      rx(`${B}${alt(['opening hours', 'open on', 'are you open', 'ouverts?', 'horaires'])}`),
      rx(`${AR}${alt(['تفتحون', 'دوام', 'مواعيد العمل', 'ساعات العمل'])}`),
    ],
  },
  {
    topic: 'documents',
    patterns: [
      rx(`${B}${alt(['passport', 'visa', 'certificate', 'document', 'passeport', 'justificatif'])}`),
      rx(`${AR}${alt(['جواز', 'تاشيره', 'شهاده', 'وثيقه'])}`),
    ],
  },
];

/** The topics a normalised message touches, in a fixed order. */
export function detectTopics(text: string): string[] {
  return TOPICS.filter(({ patterns }) => test(text, patterns)).map(({ topic }) => topic);
}
