/**
 * Romanisations of one Arabic name, each group under the one key both scripts meet on. A group holds
 * spellings of ONE Arabic name only: names that sound alike but are different names get groups of their
 * own (محمد mohammed / محمود mahmoud, حسن hasan / حسين hussain, آمنة amna / أمينة amina, عمر omar /
 * عمرو amr, نور nour / نورة noura, زايد zayed / زيد zaid, ماجد majid / مجيد majeed, راشد rashid / رشيد
 * rasheed, حمد hamad / حماد hammad). No spelling may appear in two groups (a unit test checks).
 *
 * Spellings are written as typed; they go through the same Latin folding as input (lower case, final
 * consonant + y → i), so "Aly" needs no entry of its own.
 */
export const GIVEN_NAME_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  mohammed: ['muhammad', 'mohamed', 'mohammad', 'mohamad', 'muhammed', 'muhamad', 'mohammd', 'mohd', 'mhd'],
  mahmoud: ['mahmood', 'mahmud', 'mahmoud'],
  ahmed: ['ahmad', 'ahmet'],
  abdullah: ['abdulla', 'abdallah', 'abdalla', 'abdellah', 'abdollah', 'abdulah'],
  yousef: ['youssef', 'yusuf', 'yousif', 'yousuf', 'yusef', 'yusif', 'youssif', 'yousof'],
  hussain: ['hussein', 'husain', 'husayn', 'hussien', 'husein', 'hossain', 'hossein'],
  hasan: ['hassan', 'hasan'],
  khalid: ['khaled', 'khalid'],
  fatima: ['fatma', 'fatimah', 'fatema', 'fatmah', 'faatima'],
  aisha: ['ayesha', 'aysha', 'aishah', 'aicha', 'ayisha', 'aesha', 'aaisha'],
  mariam: ['maryam', 'mariyam', 'maryem', 'meryem', 'mariem'],
  omar: ['umar', 'omer'],
  amr: ['amro', 'amru', 'amrou'],
  ali: ['ali', 'aly'],
  saeed: ['said', 'saeid', 'saied', 'saiid', 'saeed'],
  sayed: ['sayyed', 'sayyid', 'sayid', 'elsayed', 'alsayed', 'elsayyed'],
  rashid: ['rashed', 'rashid'],
  rasheed: ['rasheed', 'rachid'],
  sultan: ['sultaan', 'soltan'],
  salem: ['salim'],
  hamad: ['hamad'],
  hammad: ['hammad'],
  hamdan: ['hamdaan'],
  sara: ['sarah', 'sarra'],
  noura: ['nora', 'noorah', 'nourah', 'norah', 'noura', 'nura', 'noora'],
  nour: ['noor', 'nur', 'nour'],
  ibrahim: ['ebrahim', 'ibraheem', 'ebraheem', 'brahim'],
  yaqoub: ['yacoub', 'yaqub', 'yakoub', 'yaqoob', 'yakub', 'yaqob', 'yacub'],
  mustafa: ['mostafa', 'moustafa', 'mustapha', 'mostapha', 'mustafah'],
  majid: ['majed', 'maajid'],
  majeed: ['majeed', 'mageed'],
  zainab: ['zeinab', 'zaynab', 'zenab', 'zeynab'],
  khalifa: ['khalifah', 'khaleefa', 'khalefa'],
  mansour: ['mansoor', 'mansur'],
  faisal: ['faysal', 'feisal', 'faisel'],
  amna: ['amnah', 'aamna'],
  amina: ['aminah', 'ameena', 'ameenah'],
  sulaiman: ['suleiman', 'sulayman', 'sleiman', 'soliman', 'sulaiman', 'suliman'],
  ismail: ['esmail', 'ismael', 'ismaeel', 'ismaiel'],
  othman: ['osman', 'uthman', 'usman'],
  hamza: ['hamzah', 'hamzeh'],
  saif: ['sayf', 'seif', 'saif'],
  salma: ['salmah'],
  layla: ['laila', 'leila', 'lailah', 'leyla', 'laylah'],
  hessa: ['hissa', 'hessah', 'hissah'],
  moza: ['mozah', 'mouza', 'mouzah', 'mozza'],
  latifa: ['latifah', 'lateefa', 'lateefah'],
  khadija: ['khadijah', 'khadeeja', 'khadeejah', 'khadiga'],
  zayed: ['zayid', 'zaied'],
  zaid: ['zayd', 'zeid'],
  jassim: ['jasim', 'jasem', 'jassem'],
  tariq: ['tarek', 'tareq', 'tarik', 'tarique'],
  waleed: ['walid'],
  nasser: ['naser', 'nasir', 'nassir', 'nasser'],
  fahad: ['fahd'],
  obaid: ['ubaid', 'obeid', 'obaed'],
  saqr: ['saqer', 'saker', 'sager', 'saqar'],
  juma: ['jumaa', 'jumah', 'jomaa', 'juma'],
  shamma: ['shama'],
  reem: ['rim', 'reem'],
  yasmin: ['yasmeen', 'yasmine', 'yassmin'],
  adel: ['adil', 'adel'],
  hilal: ['helal'],
  badr: ['bader', 'badar'],
  mahra: ['mahrah'],
  shaikha: ['sheikha', 'shaikhah', 'sheikhah'],
};

/**
 * Family names (nisbas) as they appear without the article: "Al Shamsi", "Al-Shamsi", "Alshamsi" and
 * "Shamsi" all reach "shamsi" before this table is consulted.
 */
export const FAMILY_NAME_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  shamsi: ['shamsy'],
  kaabi: ['kabi', 'kaaby'],
  mansoori: ['mansouri', 'mansuri'],
  suwaidi: ['swaidi', 'suwaidy', 'suwedi'],
  dhaheri: ['dhahiri', 'daheri', 'zaheri', 'dhaheri'],
  ketbi: ['kitbi', 'katbi'],
  hammadi: ['hamadi'],
  marzouqi: ['marzooqi', 'marzoqi', 'marzouki'],
  ameri: ['amiri', 'amery'],
  falasi: ['fallasi', 'falasy'],
  mazrouei: ['mazrooei', 'mazroui', 'mazrui', 'mazrooi'],
  balushi: ['baloushi', 'balooshi', 'blooshi', 'bloushi'],
  zaabi: ['zabi', 'zaaby'],
  hosani: ['hosany', 'housani'],
  muhairi: ['mheiri', 'mehairi', 'muhairy', 'mhairi'],
  hashimi: ['hashemi', 'hashimy'],
  tamimi: ['tamemi', 'tamimy'],
};

/**
 * The stem after "abd" in a servant-of compound (عبد + one of God's names), canonicalised so that
 * Abdulrahman, Abdelrahman, Abdurrahman, Abd al-Rahman and Abdul Rahman meet. رحمن rahman and رحيم rahim
 * are different names and stay apart.
 */
export const ABD_STEM_VARIANTS: Readonly<Record<string, readonly string[]>> = {
  rahman: ['rahmaan', 'rehman', 'rahmane', 'rehmane'],
  rahim: ['raheem', 'rahime'],
  aziz: ['azeez', 'azziz', 'aziiz'],
  karim: ['kareem', 'kerim'],
  majeed: ['majid', 'mageed', 'madjid'],
  hameed: ['hamid'],
  latif: ['lateef', 'latief'],
  qadir: ['qader', 'kader', 'kadir', 'qadeer', 'gader'],
  wahab: ['wahhab', 'wahaab'],
  salam: ['salaam', 'slam'],
  nasser: ['naser', 'nasir'],
  hadi: ['hady'],
  jabbar: ['jabar'],
  ghani: ['ghany'],
  wahid: ['waheed'],
  razzaq: ['razaq', 'razzak', 'razak', 'rezak'],
  hakim: ['hakeem'],
  malik: ['malek'],
  mohsen: ['muhsin', 'mohsin'],
};
