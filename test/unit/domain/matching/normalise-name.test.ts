import { describe, expect, it } from 'vitest';
import { foldLatin } from '../../../../src/domain/matching/characters';
import { ARABIC_TO_KEY } from '../../../../src/domain/matching/cross-script';
import {
  ABD_STEM_VARIANTS,
  FAMILY_NAME_VARIANTS,
  GIVEN_NAME_VARIANTS,
} from '../../../../src/domain/matching/latin-variants';
import { foldLatinWord } from '../../../../src/domain/matching/name-tables';
import { normaliseName } from '../../../../src/domain/matching/normalise-name';

const given = (name: string) => normaliseName({ given: name, family: 'x' }).given;
const family = (name: string) => normaliseName({ given: 'x', family: name }).family;

describe('normaliseName, Arabic script', () => {
  it('ignores tashkeel, superscript alef, tatweel, zero-width and bidi marks', () => {
    expect(given('مُحَمَّد')).toBe(given('محمد'));
    expect(given('عـــلـي')).toBe(given('علي'));
    expect(given('رحمٰن')).toBe(given('رحمن'));
    expect(given('\u200Fم\u200Cر\u200Dيم\u2069')).toBe(given('مريم'));
  });

  it('unifies alef forms, alef maqsura, taa marbuta, hamza seats and the Persian ya, kaf and heh with hamza', () => {
    expect(['أسيل', 'إسيل', 'آسيل', 'ٱسيل'].map(given)).toEqual(Array(4).fill('اسيل'));
    expect(given('هدى')).toBe('هدي');
    expect(given('شيخة')).toBe(given('شيخه'));
    expect(given('لؤي')).toBe('لوي');
    expect(given('هانئ')).toBe('هاني');
    expect(given('کریم')).toBe('كريم');
    expect(given('فاطمۀ')).toBe(given('فاطمه'));
    expect(given('فاطمۀ')).toBe(given('فاطمة'));
  });

  it('reads Arabic presentation forms and ligatures as their letters', () => {
    expect(given('ﻋﻠﻴﺎء')).toBe(given('علياء'));
  });

  it('drops بن, ابن and بنت, and joins عبد to the next word and الدين, الله to the previous one', () => {
    const full = (text: string) => normaliseName({ given: 'x', family: 'y', full: text }).full;

    expect(full('سالم بن راشد ابن حمد')).toBe(full('سالم راشد حمد'));
    expect(full('مريم بنت خليفة')).toBe(full('مريم خليفة'));
    expect(given('عبد الحكيم')).toBe('عبدالحكيم');
    expect(given('نور الدين')).toBe('نورالدين');
    expect(given('عطا الله')).toBe('عطاالله');
  });

  it('makes آل نهيان, ال نهيان, النهيان and نهيان one family name, and keeps a short or radical ال', () => {
    expect(['آل نهيان', 'ال نهيان', 'النهيان', 'نهيان', 'آلنهيان'].map(family)).toEqual(
      Array(5).fill('نهيان'),
    );
    expect(family('آل بو فلاسة')).toBe(family('بوفلاسه'));
    expect(family('الياس')).toBe('الياس');
    expect(family('الله')).toBe('الله');
  });

  it('keeps the article of a given name (العنود is not عنود as given names go)', () => {
    expect(given('العنود')).toBe('العنود');
  });
});

describe('normaliseName, Latin script', () => {
  it('ignores case and diacritics, and drops apostrophes', () => {
    expect(given('FĀṬIMA')).toBe('fatima');
    expect(given("Sa'eed")).toBe('saeed');
    expect(family('Müller')).toBe('muller');
  });

  it('drops bin, bint, ibn, ben and the article al/el, alone, hyphenated or written on a family name', () => {
    const full = (text: string) => normaliseName({ given: 'x', family: 'y', full: text }).full;

    expect(full('Saif bin Hamad ibn Sultan')).toBe('saif hamad sultan');
    expect(full('Hessa bint Juma Ben Ali')).toBe('hessa juma ali');
    expect(['Al Shamsi', 'Al-Shamsi', 'AlShamsi', 'El Shamsi', 'Ash-Shamsi', 'Shamsi'].map(family)).toEqual(
      Array(6).fill('shamsi'),
    );
  });

  it('keeps a connector or article that links nothing: Ben the given name, Bin Hamoodah the family name', () => {
    expect(normaliseName({ given: 'Ben', family: 'Carter' })).toEqual({
      given: 'ben',
      family: 'carter',
      full: 'ben carter',
    });
    expect(family('Bin Hamoodah')).toBe('bin hamoodah');
    expect(normaliseName({ given: 'Ali', family: 'x', full: 'Ali Bin Hamoodah' }).full).toBe('ali hamoodah');
  });

  it('keeps al in a given name and in a short family name (Alia, Allen)', () => {
    expect(given('Alia')).toBe('alia');
    expect(family('Allen')).toBe('allen');
  });

  it('joins abd compounds with the next word, one key per compound', () => {
    const rahman = [
      'Abdul Rahman',
      'Abdelrahman',
      'Abdurrahman',
      'Abd al-Rahman',
      'Abd ar-Rahman',
      'Abdul-Rahman',
    ];
    const allah = ['Abdullah', 'Abdulla', 'Abdallah', 'Abd Allah', 'Abdollah', 'Abdellah'];

    expect(rahman.map(given)).toEqual(Array(rahman.length).fill('abdulrahman'));
    expect(allah.map(given)).toEqual(Array(allah.length).fill('abdullah'));
    expect(given('Abdel Kareem')).toBe('abdulkarim');
  });

  it('maps the romanisations of one name to one key', () => {
    const groups = [
      ['Mohammed', 'Muhammad', 'Mohamed', 'Mohammad', 'Mohamad', 'Muhammed', 'Mohd'],
      ['Yousef', 'Youssef', 'Yusuf', 'Yousif'],
      ['Hussain', 'Hussein', 'Husain'],
      ['Noura', 'Nora', 'Noorah'],
      ['Aly', 'Ali'],
    ];
    for (const group of groups) expect(new Set(group.map(given)).size).toBe(1);
  });
});

describe('normaliseName keeps different names apart', () => {
  it.each([
    ['Mohammed', 'Mahmoud'],
    ['Hasan', 'Hussein'],
    ['Hassan', 'Husayn'],
    ['Amna', 'Amina'],
    ['Omar', 'Amr'],
    ['Nour', 'Noura'],
    ['Zayed', 'Zaid'],
    ['Hamad', 'Hammad'],
    ['Hamad', 'Ahmed'],
    ['Abdulrahman', 'Abdulrahim'],
    ['Abdullah', 'Abdulilah'],
    ['Saeed', 'Sayed'],
    ['محمد', 'محمود'],
    ['عمر', 'عمرو'],
    ['نور', 'نورة'],
    ['حسن', 'حسين'],
    ['آمنة', 'أمينة'],
    ['عبدالله', 'عبد الإله'],
    ['محمود', 'Mohammed'],
    ['عمرو', 'Omar'],
  ])('%s ≠ %s', (one, other) => {
    expect(given(one)).not.toBe(given(other));
  });
});

describe('normaliseName across scripts', () => {
  it('meets the Latin spellings where the cross-script table knows the name', () => {
    expect(normaliseName({ given: 'محمد', family: 'الشامسي' })).toEqual(
      normaliseName({ given: 'Mohammed', family: 'Al Shamsi' }),
    );
    expect(given('عبد الرحمن')).toBe(given('Abdelrahman'));
    expect(given('عائشة')).toBe(given('Aysha'));
  });

  it('keeps a name the table does not know in its own script', () => {
    expect(given('ميثاء')).toBe('ميثاء');
    expect(given('Maitha')).toBe('maitha');
  });

  it('splits a word that changes script, and never joins across scripts', () => {
    expect(given('محمدAli')).toBe('mohammed ali');
    expect(given('Abdul عبد')).toBe('abdul عبد');
  });

  it('reads the full name as given + family when it is not given, and its last word as the family name', () => {
    expect(normaliseName({ given: 'Salem', family: 'Al Ketbi' }).full).toBe('salem ketbi');
    expect(normaliseName({ given: 'Salem', family: 'Ketbi', full: 'Salem bin Rashed Alketbi' }).full).toBe(
      'salem rashid ketbi',
    );
  });
});

describe('the name tables', () => {
  const fold = (spelling: string) => foldLatinWord(foldLatin(spelling));

  it('put no spelling in two groups', () => {
    for (const groups of [{ ...GIVEN_NAME_VARIANTS, ...FAMILY_NAME_VARIANTS }, ABD_STEM_VARIANTS]) {
      const owner = new Map<string, string>();
      for (const [key, spellings] of Object.entries(groups)) {
        for (const spelling of new Set([key, ...spellings].map(fold))) {
          expect(owner.get(spelling) ?? key, `${spelling} is in ${owner.get(spelling)} and ${key}`).toBe(key);
          owner.set(spelling, key);
        }
      }
    }
  });

  it('map every spelling to its key, and every key to itself', () => {
    for (const [key, spellings] of Object.entries(GIVEN_NAME_VARIANTS)) {
      for (const spelling of [key, ...spellings]) expect(given(spelling), spelling).toBe(key);
    }
    for (const [key, spellings] of Object.entries(FAMILY_NAME_VARIANTS)) {
      for (const spelling of [key, ...spellings]) expect(family(`Al ${spelling}`), spelling).toBe(key);
    }
  });

  it('give each Arabic entry a key that a Latin spelling reaches', () => {
    for (const [arabic, key] of Object.entries(ARABIC_TO_KEY)) {
      const role = key in FAMILY_NAME_VARIANTS ? family : given;
      expect(role(arabic), arabic).toBe(key);
      expect(role(key), key).toBe(key);
    }
  });
});
